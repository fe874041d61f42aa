using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

public enum ChainProblem
{
    /// <summary>An event's fields no longer match its hash, or its hash no longer matches what the next event recorded.</summary>
    Edited,

    /// <summary>One or more events are gone from the middle of the chain (or its start, without a retention checkpoint).</summary>
    Missing,

    /// <summary>An event sits at another position than the one it was chained at.</summary>
    Reordered,

    /// <summary>The chain ends before the last signed checkpoint: events at its end were deleted.</summary>
    TailTruncated,

    /// <summary>A checkpoint's signature does not verify: it was written or changed without the key.</summary>
    ForgedCheckpoint,
}

/// <param name="BrokenAt">The first event (by sequence) that fails, or for a forged checkpoint the event it claims to cover.</param>
/// <param name="StartedAfter">The signed checkpoint the walk started from (after retention), or null for the genesis.</param>
public sealed record ChainReport(
    ChainProblem? Problem,
    long? BrokenAt,
    string Message,
    long EventsChecked,
    AuditCheckpoint? StartedAfter,
    AuditCheckpoint? LatestCheckpoint)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// Verifies the hash chain from the latest signed checkpoint before the oldest remaining event (retention deletes the
/// head) to the tail, and checks that the tail reaches the latest signed checkpoint.
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<PortalDbContext> dbFactory, AuditCheckpoints checkpoints)
{
    public async Task<ChainReport> VerifyAsync(int batchSize = 5000, CancellationToken cancellationToken = default)
    {
        var all = await checkpoints.ListAsync(cancellationToken);
        var latest = all.Count == 0 ? null : all.MaxBy(c => (c.Sequence, c.Id));
        foreach (var checkpoint in all)
        {
            if (!await checkpoints.IsAuthenticAsync(checkpoint, cancellationToken))
            {
                return new ChainReport(ChainProblem.ForgedCheckpoint, checkpoint.Sequence,
                    $"Checkpoint {checkpoint.Id} (at event {checkpoint.Sequence}) has an invalid signature: it was forged or altered.",
                    0, null, latest);
            }
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var oldest = await db.AuditEvents.MinAsync(e => (long?)e.Sequence, cancellationToken);
        // Retention signs a checkpoint of the last event it deletes: the walk continues from its hash. Events up to a
        // retention checkpoint that are still there (a deletion cut short) are on their way out and are not walked.
        var start = oldest is null
            ? null
            : all.Where(c => c.Sequence < oldest || c.Kind == AuditCheckpointKind.Retention).MaxBy(c => (c.Sequence, c.Id));
        var bySequence = all.GroupBy(c => c.Sequence).ToDictionary(g => g.Key, g => g.ToList());
        var previousHash = start?.EventHash ?? AuditChain.GenesisHash;
        var expected = (start?.Sequence ?? 0) + 1;
        var checkedCount = 0L;

        while (true)
        {
            var from = expected;
            var batch = await db.AuditEvents.AsNoTracking()
                .Where(e => e.Sequence >= from)
                .OrderBy(e => e.Sequence)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                if (e.Sequence != expected)
                {
                    var last = e.Sequence - 1;
                    return Broken(ChainProblem.Missing, expected, expected == last
                        ? $"Event {expected} is missing: it was deleted."
                        : $"Events {expected} to {last} are missing: they were deleted.");
                }
                if (AuditChain.ComputeHash(e) != e.Hash)
                {
                    return e.PreviousHash != previousHash && await IsChainedElsewhereAsync(db, e, cancellationToken)
                        ? Broken(ChainProblem.Reordered, e.Sequence, $"Event {e.Sequence} was moved: it was chained at another position.")
                        : Broken(ChainProblem.Edited, e.Sequence, $"Event {e.Sequence} was edited: its contents no longer match its hash.");
                }
                if (e.PreviousHash != previousHash)
                {
                    return Broken(ChainProblem.Edited, e.Sequence,
                        $"Event {e.Sequence} does not link to event {e.Sequence - 1}: one of them was edited and its hash recomputed.");
                }
                if (bySequence.TryGetValue(e.Sequence, out var signed) && signed.Any(c => c.EventHash != e.Hash))
                {
                    return Broken(ChainProblem.Edited, e.Sequence,
                        $"Event {e.Sequence} differs from the signed checkpoint of it: the chain was rewritten from there.");
                }
                previousHash = e.Hash;
                expected++;
                checkedCount++;
            }
            if (batch.Count < batchSize)
            {
                break;
            }
        }

        var tail = expected - 1;
        if (latest is not null && latest.Sequence > tail)
        {
            return Broken(ChainProblem.TailTruncated, tail + 1,
                $"Tail truncated after checkpoint {latest.Id}: it signed the chain up to event {latest.Sequence}, " +
                $"but the chain ends at event {tail}; events from {tail + 1} were deleted.");
        }
        var message = checkedCount == 0
            ? "The audit log is empty."
            : $"The hash chain is intact: {checkedCount} events from {(start?.Sequence ?? 0) + 1} to {tail}" +
              (latest is null ? "." : $", up to and beyond checkpoint {latest.Id} at event {latest.Sequence}.");
        return new ChainReport(null, null, message, checkedCount, start, latest);

        ChainReport Broken(ChainProblem problem, long at, string text) => new(problem, at, text, checkedCount, start, latest);
    }

    /// <summary>A moved event still names its old predecessor, and that hash belongs to some event other than its new predecessor.</summary>
    private static Task<bool> IsChainedElsewhereAsync(PortalDbContext db, AuditEvent e, CancellationToken cancellationToken) =>
        db.AuditEvents.AnyAsync(other => other.Hash == e.PreviousHash && other.Sequence != e.Sequence - 1, cancellationToken);
}
