using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Delivery;

/// <summary>
/// Queues messages in the database (the rows are the queue) and answers questions about them. Delivery itself is
/// <see cref="DeliveryEngine"/>'s, started by the host's <see cref="IDeliveryTrigger"/>.
/// </summary>
public sealed class MessageQueue(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>The newest messages the development outbox kept instead of sending (bodies included), for /dev/outbox.</summary>
    public async Task<IReadOnlyList<OutboundMessage>> OutboxAsync(int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboundMessages.AsNoTracking().Where(m => m.Transport == "Outbox")
            .OrderByDescending(m => m.CreatedAt).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Queues an email in its own transaction; the caller then tells <see cref="IDeliveryTrigger"/>.</summary>
    public async Task<Guid> EnqueueEmailAsync(
        string recipient, string subject, string htmlBody, string textBody, string? purpose = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var id = Stage(db, new MessageDraft(Channel.Email, recipient, subject, htmlBody, textBody, Purpose: purpose));
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// Adds a message to <paramref name="db"/> without saving: the caller's SaveChanges commits it in the same
    /// transaction as its own rows (a challenge never exists without the message carrying its code). After the
    /// commit, the caller tells <see cref="IDeliveryTrigger"/>.
    /// </summary>
    public Guid Stage(PortalDbContext db, MessageDraft draft)
    {
        var now = time.GetUtcNow();
        var message = new OutboundMessage
        {
            Kind = draft.Kind,
            CurrentKind = draft.Kind,
            Recipient = draft.Recipient,
            MaskedRecipient = draft.MaskedRecipient ?? draft.Kind.Mask(draft.Recipient),
            Subject = draft.Subject,
            HtmlBody = draft.HtmlBody,
            TextBody = draft.TextBody,
            Purpose = draft.Purpose,
            Reference = draft.Reference,
            FallbackKind = draft.Fallback?.Kind,
            FallbackRecipient = draft.Fallback?.Recipient,
            FallbackSubject = draft.Fallback?.Subject,
            FallbackHtmlBody = draft.Fallback?.HtmlBody,
            FallbackTextBody = draft.Fallback?.TextBody,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.OutboundMessages.Add(message);
        return message.Id;
    }

    /// <summary>Where a queued message goes; null when there is no such message.</summary>
    public async Task<string?> GetRecipientAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboundMessages.Where(m => m.Id == messageId).Select(m => m.Recipient).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The fallback recipient of a queued message for <paramref name="kind"/>; null when it has none.</summary>
    public async Task<string?> GetFallbackRecipientAsync(Guid messageId, Channel kind, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboundMessages.Where(m => m.Id == messageId && m.FallbackKind == kind)
            .Select(m => m.FallbackRecipient).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The messages staged with <paramref name="reference"/>, oldest first, each with its attempts.</summary>
    public async Task<IReadOnlyList<MessageView>> GetByReferenceAsync(string reference, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.OutboundMessages.AsNoTracking().Where(m => m.Reference == reference)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new { m.Id, m.Kind, m.Status, m.Transport, m.CreatedAt, m.SentAt })
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var attempts = (await db.DeliveryAttempts.AsNoTracking().Where(a => ids.Contains(a.MessageId)).ToListAsync(cancellationToken))
            .ToLookup(a => a.MessageId);
        return rows
            .Select(m => new MessageView(m.Id, m.Kind, m.Status, m.Transport, m.CreatedAt, m.SentAt,
                attempts[m.Id].OrderBy(a => a.Number).Select(ToView).ToList()))
            .ToList();
    }

    public async Task<IReadOnlyList<DeliveryAttemptView>> GetAttemptsAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.DeliveryAttempts.AsNoTracking().Where(a => a.MessageId == messageId).ToListAsync(cancellationToken);
        return rows.OrderBy(a => a.Number).Select(ToView).ToList();
    }

    /// <summary>One page of messages, newest first, for the admin console. Never bodies or full recipients.</summary>
    public async Task<MessagePage> ListAsync(MessageStatus? status, Channel? channel, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.OutboundMessages.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(m => m.Status == s);
        }
        if (channel is { } c)
        {
            query = query.Where(m => m.CurrentKind == c);
        }
        var total = await query.CountAsync(cancellationToken);
        // Version 7 ids sort by creation time, in SQLite's text form as in PostgreSQL's uuid.
        var rows = await query.OrderByDescending(m => m.Id).Skip(skip).Take(take)
            .Select(m => new MessageSummary(m.Id, m.Kind, m.CurrentKind, m.MaskedRecipient, m.Purpose, m.Reference, m.CreatedAt,
                m.Status, m.Transport, m.Attempts, m.LastError))
            .ToListAsync(cancellationToken);
        return new MessagePage(rows, total);
    }

    /// <summary>
    /// Makes a failed message due now on its first channel, with a fresh set of attempts. False when it is not
    /// Failed (already retried by someone else, or never failed).
    /// </summary>
    public async Task<bool> RetryNowAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboundMessages.Where(m => m.Id == messageId && m.Status == MessageStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Pending)
                .SetProperty(m => m.CurrentKind, m => m.Kind)
                .SetProperty(m => m.ChannelAttempts, 0)
                .SetProperty(m => m.NextAttemptAt, now), cancellationToken) == 1;
    }

    private static DeliveryAttemptView ToView(DeliveryAttempt a) => new(a.Number, a.At, a.Channel, a.Provider, a.Outcome, a.Error);
}
