using System.Diagnostics;
using System.Threading.Channels;
using Channel = Tessera.Domain.Contacts.Channel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Delivery;

/// <param name="Sent">Messages handed to a provider.</param>
/// <param name="Failed">Attempts that failed (retried later, moved to another channel, or given up).</param>
/// <param name="NextDueAt">The earliest pending message still waiting for its time, if any: when to drain next.</param>
public sealed record DrainResult(int Sent, int Failed, DateTimeOffset? NextDueAt);

/// <summary>
/// Delivers every due message: claims a batch with one conditional update, sends with bounded parallelism, records
/// each attempt, and loops until nothing is due. Safe to run on many workers and nodes at once: a row belongs to the
/// drain whose claim token it carries, so no two drains send the same message.
/// </summary>
public sealed class DeliveryEngine(
    IDbContextFactory<PortalDbContext> dbFactory,
    IEnumerable<IMessageChannel> channels,
    IPolicies policies,
    IOptions<DeliveryOptions> options,
    TimeProvider time)
{
    private readonly Dictionary<Channel, IMessageChannel> byKind = channels
        .GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Last());

    public async Task<DrainResult> DrainAsync(CancellationToken cancellationToken = default)
    {
        int sent = 0, failed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await RunBatchAsync(cancellationToken);
            sent += batch.Sent;
            failed += batch.Failed;
            if (batch.Claimed == 0)
            {
                break;
            }
        }
        return new DrainResult(sent, failed, await NextDueAtAsync(CancellationToken.None));
    }

    /// <summary>Claims, sends and records one batch of due messages.</summary>
    public async Task<(int Claimed, int Sent, int Failed)> RunBatchAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var token = Guid.NewGuid();
        var claimed = await ClaimAsync(token, settings, cancellationToken);
        if (claimed.Count == 0)
        {
            return (0, 0, 0);
        }

        var fallbackOrder = (await policies.CurrentAsync(cancellationToken)).Delivery.FallbackOrder;
        var results = System.Threading.Channels.Channel.CreateUnbounded<AttemptResult>(new UnboundedChannelOptions { SingleReader = true });
        var recorder = RecordAsync(results.Reader, token, settings, fallbackOrder);
        try
        {
            await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelSends },
                async (message, _) => results.Writer.TryWrite(await SendAsync(message, cancellationToken)));
        }
        finally
        {
            results.Writer.Complete();
        }
        var (sent, failed) = await recorder;
        return (claimed.Count, sent, failed);
    }

    /// <summary>When the next pending message falls due, or null when none waits.</summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var next = await db.OutboundMessages.Where(m => m.Status == MessageStatus.Pending)
            .MinAsync(m => (DateTimeOffset?)m.NextAttemptAt, cancellationToken);
        return next;
    }

    private async Task<List<OutboundMessage>> ClaimAsync(Guid token, DeliveryOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leaseEnd = now + settings.Lease;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Due: pending and its time has come, or claimed by a drain whose lease lapsed (its worker died mid-send).
        var due = db.OutboundMessages.Where(m =>
            (m.Status == MessageStatus.Pending && m.NextAttemptAt <= now)
            || (m.Status == MessageStatus.Sending && m.LeaseExpiresAt < now));
        var batch = due.OrderBy(m => m.NextAttemptAt).Take(settings.BatchSize).Select(m => m.Id);
        // One conditional update; the outer condition is checked again on each row as it is written, so of two
        // drains racing for a row exactly one stamps its token on it.
        var count = await db.OutboundMessages
            .Where(m => batch.Contains(m.Id)
                && ((m.Status == MessageStatus.Pending && m.NextAttemptAt <= now)
                    || (m.Status == MessageStatus.Sending && m.LeaseExpiresAt < now)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Sending)
                .SetProperty(m => m.ClaimToken, token)
                .SetProperty(m => m.LeaseExpiresAt, leaseEnd), cancellationToken);
        return count == 0 ? [] : await db.OutboundMessages.AsNoTracking().Where(m => m.ClaimToken == token).ToListAsync(cancellationToken);
    }

    private async Task<AttemptResult> SendAsync(OutboundMessage message, CancellationToken stopping)
    {
        var kind = message.CurrentKind;
        if (stopping.IsCancellationRequested)
        {
            // Not handed off yet: give the message back rather than let its lease run out.
            return new AttemptResult(message, kind, null, null, 0, Released: true);
        }
        if (!byKind.TryGetValue(kind, out var channel))
        {
            return new AttemptResult(message, kind, "None", $"No {kind.Name()} provider is configured.", 0);
        }
        var started = time.GetTimestamp();
        try
        {
            // Not cancelled by shutdown: a send once started runs to its own timeout, so its outcome gets recorded.
            await channel.SendAsync(message.RouteFor(kind), CancellationToken.None);
            return new AttemptResult(message, kind, channel.Name, null, Elapsed(started), KeepsBody: channel.KeepsBody);
        }
        catch (Exception ex)
        {
            var error = ex is DeliveryFailedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            return new AttemptResult(message, kind, channel.Name, DeliverySchedule.Trim(error), Elapsed(started),
                Permanent: ex is DeliveryFailedException { Permanent: true });
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Writes outcomes as they arrive, all that are waiting in one transaction: one commit per burst, not per message.</summary>
    private async Task<(int Sent, int Failed)> RecordAsync(
        ChannelReader<AttemptResult> reader, Guid token, DeliveryOptions settings, IReadOnlyList<Channel> fallbackOrder)
    {
        int sent = 0, failed = 0;
        var pending = new List<AttemptResult>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            pending.Clear();
            while (reader.TryRead(out var result))
            {
                pending.Add(result);
            }
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var now = time.GetUtcNow();
            // Sent rows in one statement per provider and body rule: under load a burst is dozens of rows.
            foreach (var group in pending.Where(r => !r.Released && r.Error is null).GroupBy(r => (r.Provider, r.KeepsBody)))
            {
                var ids = group.Select(r => r.Message.Id).ToList();
                sent += ids.Count;
                await MarkSentAsync(db.OutboundMessages.Where(m => ids.Contains(m.Id) && m.ClaimToken == token), group.Key.Provider, group.Key.KeepsBody, now);
            }
            foreach (var result in pending)
            {
                var owned = db.OutboundMessages.Where(m => m.Id == result.Message.Id && m.ClaimToken == token);
                if (result.Released)
                {
                    await owned.ExecuteUpdateAsync(s => s
                        .SetProperty(m => m.Status, MessageStatus.Pending)
                        .SetProperty(m => m.ClaimToken, (Guid?)null)
                        .SetProperty(m => m.LeaseExpiresAt, (DateTimeOffset?)null));
                    continue;
                }
                if (result.Error is not null)
                {
                    failed++;
                    await MarkFailedAsync(owned, result, now, settings, fallbackOrder);
                }
                db.DeliveryAttempts.Add(new DeliveryAttempt
                {
                    MessageId = result.Message.Id,
                    Number = result.Message.Attempts + 1,
                    At = now,
                    Channel = result.Kind,
                    Provider = result.Provider ?? "None",
                    Outcome = result.Error is null ? DeliveryOutcomes.Sent : DeliveryOutcomes.Failed,
                    Error = result.Error,
                    DurationMs = result.DurationMs,
                });
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        return (sent, failed);
    }

    private static Task<int> MarkSentAsync(IQueryable<OutboundMessage> owned, string? provider, bool keepsBody, DateTimeOffset now) =>
        owned.ExecuteUpdateAsync(s =>
        {
            s.SetProperty(m => m.Status, MessageStatus.Sent)
                .SetProperty(m => m.SentAt, now)
                .SetProperty(m => m.LastAttemptAt, now)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.ChannelAttempts, m => m.ChannelAttempts + 1)
                .SetProperty(m => m.Transport, provider)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.ClaimToken, (Guid?)null)
                .SetProperty(m => m.LeaseExpiresAt, (DateTimeOffset?)null);
            // Links and codes are not kept once delivered, except by the development outbox, whose page shows them.
            if (!keepsBody)
            {
                s.SetProperty(m => m.HtmlBody, (string?)null)
                    .SetProperty(m => m.TextBody, (string?)null)
                    .SetProperty(m => m.FallbackHtmlBody, (string?)null)
                    .SetProperty(m => m.FallbackTextBody, (string?)null);
            }
        });

    private static Task<int> MarkFailedAsync(
        IQueryable<OutboundMessage> owned, AttemptResult result, DateTimeOffset now, DeliveryOptions settings, IReadOnlyList<Channel> fallbackOrder)
    {
        // A permanent failure counts as the channel's last attempt.
        var step = DeliverySchedule.AfterFailure(
            result.Message, result.Kind, result.Permanent ? settings.RetryDelays.Length + 1 : result.Message.ChannelAttempts + 1,
            settings.RetryDelays, fallbackOrder, now);
        var attempts = result.Message.Attempts + 1;
        return owned.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, step.Status)
            .SetProperty(m => m.CurrentKind, step.Kind)
            .SetProperty(m => m.ChannelAttempts, step.ChannelAttempts)
            .SetProperty(m => m.NextAttemptAt, step.NextAttemptAt)
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastAttemptAt, now)
            .SetProperty(m => m.Transport, result.Provider)
            .SetProperty(m => m.LastError, result.Error)
            .SetProperty(m => m.ClaimToken, (Guid?)null)
            .SetProperty(m => m.LeaseExpiresAt, (DateTimeOffset?)null));
    }

    private sealed record AttemptResult(
        OutboundMessage Message, Channel Kind, string? Provider, string? Error, long DurationMs, bool KeepsBody = false, bool Released = false,
        bool Permanent = false);
}

/// <summary>A provider refused or could not be reached; the message is safe to show admins (no body, no code).</summary>
/// <param name="permanent">
/// Retrying this channel cannot help (a push subscription that is gone, a request that expired): the message moves to
/// its fallback, or fails, at once.
/// </param>
public sealed class DeliveryFailedException(string message, bool permanent = false) : Exception(message)
{
    public bool Permanent { get; } = permanent;
}
