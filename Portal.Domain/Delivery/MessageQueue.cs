using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Delivery;

/// <summary>Queues messages in the database and delivers one by id; the host decides when (Hangfire jobs).</summary>
public sealed class MessageQueue(IDbContextFactory<PortalDbContext> dbFactory, IEnumerable<IMessageChannel> channels, TimeProvider time)
{
    public async Task<Guid> EnqueueEmailAsync(string recipient, string subject, string htmlBody, string textBody, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = new OutboundMessage
        {
            Kind = MessageKind.Email,
            Recipient = recipient,
            Subject = subject,
            HtmlBody = htmlBody,
            TextBody = textBody,
            CreatedAt = time.GetUtcNow(),
        };
        db.OutboundMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return message.Id;
    }

    /// <summary>
    /// Adds a message to <paramref name="db"/> without saving: the caller's SaveChanges commits it in the same
    /// transaction as its own rows (a challenge never exists without the message carrying its code). After the
    /// commit, the caller tells <see cref="IDeliveryTrigger"/>.
    /// </summary>
    public Guid Stage(PortalDbContext db, MessageDraft draft)
    {
        var message = new OutboundMessage
        {
            Kind = draft.Kind,
            Recipient = draft.Recipient,
            Subject = draft.Subject,
            HtmlBody = draft.HtmlBody,
            TextBody = draft.TextBody,
            Reference = draft.Reference,
            CreatedAt = time.GetUtcNow(),
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

    /// <summary>The messages staged with <paramref name="reference"/>, oldest first, each with its attempts.</summary>
    public async Task<IReadOnlyList<MessageView>> GetByReferenceAsync(string reference, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.OutboundMessages.AsNoTracking().Where(m => m.Reference == reference).ToListAsync(cancellationToken);
        // TODO(delivery): attempts come from the attempts table once it exists.
        return rows.OrderBy(m => m.CreatedAt)
            .Select(m => new MessageView(m.Id, m.Kind, m.Status, m.Transport, m.CreatedAt, m.SentAt, []))
            .ToList();
    }

    /// <summary>How long a claimed attempt may take before another worker may take the message over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sends a pending message through the channel named <paramref name="transport"/>. Safe to run twice, even at
    /// once: each attempt is claimed by one conditional update, so only one worker sends. A failure is recorded and
    /// rethrown so that the job runner retries with backoff, until <paramref name="maxAttempts"/> marks the message
    /// failed for admins to see.
    /// </summary>
    public async Task<MessageStatus> DeliverAsync(Guid messageId, string transport, int maxAttempts, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var kind = await db.OutboundMessages.Where(m => m.Id == messageId).Select(m => (MessageKind?)m.Kind).SingleOrDefaultAsync(cancellationToken);
        if (kind is null)
        {
            return MessageStatus.Failed;
        }
        var channel = channels.SingleOrDefault(c => c.Kind == kind && string.Equals(c.Name, transport, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No {kind} channel named '{transport}' is registered.");

        // Claim: Pending (or Sending whose worker died and let the lease lapse) becomes Sending under a new lease.
        // The database decides who wins; a worker that loses leaves the message to the winner.
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var leaseEnd = nowMs + (long)Lease.TotalMilliseconds;
        var claimed = await db.OutboundMessages
            .Where(m => m.Id == messageId
                && (m.Status == MessageStatus.Pending || (m.Status == MessageStatus.Sending && m.LeaseExpiresAt < nowMs)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Sending)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.LastAttemptAt, now)
                .SetProperty(m => m.LeaseExpiresAt, leaseEnd), cancellationToken);
        var message = await db.OutboundMessages.SingleAsync(m => m.Id == messageId, cancellationToken);
        if (claimed == 0)
        {
            return message.Status;
        }

        try
        {
            await channel.SendAsync(message, cancellationToken);
        }
        catch (Exception ex)
        {
            var error = $"{ex.GetType().Name}: {ex.Message}";
            message.LastError = error.Length > 512 ? error[..512] : error;
            message.LeaseExpiresAt = null;
            var givenUp = message.Attempts >= maxAttempts && ex is not OperationCanceledException;
            message.Status = givenUp ? MessageStatus.Failed : MessageStatus.Pending;
            await db.SaveChangesAsync(CancellationToken.None);
            if (givenUp)
            {
                return message.Status;
            }
            throw;
        }

        message.Status = MessageStatus.Sent;
        message.SentAt = time.GetUtcNow();
        message.Transport = channel.Name;
        message.LastError = null;
        message.LeaseExpiresAt = null;
        if (!channel.KeepsBody)
        {
            message.HtmlBody = null;
            message.TextBody = null;
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return message.Status;
    }

    /// <summary>
    /// Messages whose job was lost: queued but never attempted (a crash between the commit and the enqueue),
    /// or claimed by a worker that died before finishing. The sweeper re-enqueues them.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> FindStrandedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var candidates = await db.OutboundMessages.AsNoTracking()
            .Where(m => (m.Status == MessageStatus.Pending && m.Attempts == 0)
                || (m.Status == MessageStatus.Sending && m.LeaseExpiresAt < nowMs))
            .Select(m => new { m.Id, m.Status, m.CreatedAt })
            .ToListAsync(cancellationToken);
        // Filtered in memory: SQLite cannot compare DateTimeOffset columns in SQL.
        var cutoff = now - olderThan;
        return candidates.Where(m => m.Status == MessageStatus.Sending || m.CreatedAt < cutoff).Select(m => m.Id).ToList();
    }
}
