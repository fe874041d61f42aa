using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

public sealed record RetentionResult(long Deleted, long? NewStart, string Message);

/// <summary>
/// Deletes events older than <see cref="AuditOptions.RetentionDays"/> from the head of the chain. It first signs a
/// checkpoint of the last event it will delete, so the remaining chain verifies from that hash; it refuses to run on a
/// broken chain, which would erase the evidence. Safe to run again after a crash: it recomputes the same boundary.
/// </summary>
public sealed class AuditRetention(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog log, AuditCheckpoints checkpoints, AuditVerifier verifier,
    TimeProvider time, IOptions<AuditOptions> options)
{
    public const int DefaultBatchSize = 10_000;

    public async Task<RetentionResult> ApplyAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var days = options.Value.RetentionDays;
        if (days == 0)
        {
            return new RetentionResult(0, null, "Retention is off (Audit:RetentionDays = 0): every event is kept.");
        }
        var cutoff = time.GetUtcNow().AddDays(-days);

        long lastDeleted;
        string lastHash;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var oldest = await db.AuditEvents.MinAsync(e => (long?)e.Sequence, cancellationToken);
            var tail = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken);
            if (oldest is null || tail is null)
            {
                return new RetentionResult(0, null, "The audit log is empty.");
            }
            var firstKept = await AuditSearch.FirstSequenceAtOrAfterAsync(db, cutoff, cancellationToken) ?? tail.Value + 1;
            lastDeleted = firstKept - 1;
            if (lastDeleted < oldest)
            {
                return new RetentionResult(0, oldest, $"No event is older than {days} days.");
            }
            lastHash = await db.AuditEvents.Where(e => e.Sequence == lastDeleted).Select(e => e.Hash).SingleAsync(cancellationToken);
        }

        var report = await verifier.VerifyAsync(cancellationToken: cancellationToken);
        if (!report.Intact)
        {
            var refused = $"Retention refused: the chain is broken ({report.Message}); nothing was deleted.";
            await log.RecordAsync(new AuditEntry(AuditEventTypes.AuditRetentionApplied, AuditOutcome.Failure, Detail: refused), cancellationToken);
            return new RetentionResult(0, null, refused);
        }

        // The checkpoint comes first: from here on the chain verifies whether or not the deletion below completes.
        var checkpoint = await checkpoints.SaveAsync(lastDeleted, lastHash, AuditCheckpointKind.Retention, cancellationToken);
        var deleted = 0L;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Batches by primary-key range: short transactions that do not hold the writers up.
            var low = await db.AuditEvents.MinAsync(e => (long?)e.Sequence, cancellationToken) ?? lastDeleted + 1;
            while (low <= lastDeleted)
            {
                var high = Math.Min(low + batchSize - 1, lastDeleted);
                var from = low;
                deleted += await db.AuditEvents.Where(e => e.Sequence >= from && e.Sequence <= high).ExecuteDeleteAsync(cancellationToken);
                low = high + 1;
            }
            // Older checkpoints describe events that no longer exist; the retention checkpoint now anchors the chain.
            await db.AuditCheckpoints.Where(c => c.Sequence < lastDeleted).ExecuteDeleteAsync(cancellationToken);
        }

        var message = $"Deleted {deleted} events older than {days} days (up to event {lastDeleted}); " +
                      $"the chain now starts after checkpoint {checkpoint.Id}.";
        await log.RecordAsync(new AuditEntry(AuditEventTypes.AuditRetentionApplied, AuditOutcome.Success, Detail: message), cancellationToken);
        return new RetentionResult(deleted, lastDeleted + 1, message);
    }
}
