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
    /// Sends a pending message through the channel named <paramref name="transport"/>. Safe to run twice:
    /// a message already sent or given up is left alone. A failure is recorded and rethrown so that the job
    /// runner retries with backoff, until <paramref name="maxAttempts"/> marks the message failed for admins to see.
    /// </summary>
    public async Task<MessageStatus> DeliverAsync(Guid messageId, string transport, int maxAttempts, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = await db.OutboundMessages.SingleOrDefaultAsync(m => m.Id == messageId, cancellationToken);
        if (message is null || message.Status != MessageStatus.Pending)
        {
            return message?.Status ?? MessageStatus.Failed;
        }

        var channel = channels.SingleOrDefault(c => c.Kind == message.Kind && string.Equals(c.Name, transport, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No {message.Kind} channel named '{transport}' is registered.");

        message.Attempts++;
        message.LastAttemptAt = time.GetUtcNow();
        try
        {
            await channel.SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = $"{ex.GetType().Name}: {ex.Message}";
            message.LastError = error.Length > 512 ? error[..512] : error;
            var givenUp = message.Attempts >= maxAttempts;
            if (givenUp)
            {
                message.Status = MessageStatus.Failed;
            }
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
        if (!channel.KeepsBody)
        {
            message.HtmlBody = null;
            message.TextBody = null;
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return message.Status;
    }

    /// <summary>Messages queued but never attempted (their job was lost in a crash): the sweeper re-enqueues them.</summary>
    public async Task<IReadOnlyList<Guid>> FindStrandedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - olderThan;
        var pending = await db.OutboundMessages.AsNoTracking()
            .Where(m => m.Status == MessageStatus.Pending && m.Attempts == 0)
            .Select(m => new { m.Id, m.CreatedAt })
            .ToListAsync(cancellationToken);
        // Filtered in memory: SQLite cannot compare DateTimeOffset columns in SQL.
        return pending.Where(m => m.CreatedAt < cutoff).Select(m => m.Id).ToList();
    }
}
