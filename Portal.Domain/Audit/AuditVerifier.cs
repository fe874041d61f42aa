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

    /// <summary>An export file is not whole: cut short, not JSON lines, out of order, or for another key.</summary>
    ExportMalformed,
}

/// <param name="BrokenAt">The first event (by sequence) that fails, or for a forged checkpoint the event it claims to cover.</param>
/// <param name="StartedAfter">The signed checkpoint the walk started from (after retention), or null for the genesis.</param>
/// <param name="Pending">Events committed with their actions but not yet chained (the sequencer runs within a second).</param>
public sealed record ChainReport(
    ChainProblem? Problem,
    long? BrokenAt,
    string Message,
    long EventsChecked,
    AuditCheckpoint? StartedAfter,
    AuditCheckpoint? LatestCheckpoint,
    long Pending = 0)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// Verifies the hash chain from the latest signed checkpoint before the oldest remaining event (retention deletes the
/// head) to the tail, and checks that the tail reaches the latest signed checkpoint. The walk itself is
/// <see cref="AuditChainWalk"/>, shared with the offline check of an export (<see cref="AuditExportVerifier"/>).
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<PortalDbContext> dbFactory, AuditCheckpoints checkpoints, AuditSequencer? sequencer = null)
{
    public async Task<ChainReport> VerifyAsync(int batchSize = 5000, CancellationToken cancellationToken = default)
    {
        // What is staged now is chained first; what is staged while the walk runs is reported as pending.
        if (sequencer is not null)
        {
            await sequencer.FlushAsync(cancellationToken);
        }
        var all = await checkpoints.ListAsync(cancellationToken);
        var latest = AuditChainWalk.Latest(all);
        foreach (var checkpoint in all)
        {
            if (!await checkpoints.IsAuthenticAsync(checkpoint, cancellationToken))
            {
                return new ChainReport(ChainProblem.ForgedCheckpoint, checkpoint.Sequence, AuditChainWalk.ForgedMessage(checkpoint), 0, null, latest);
            }
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var oldest = await db.AuditEvents.MinAsync(e => (long?)e.Sequence, cancellationToken);
        var walk = new AuditChainWalk(all, oldest);
        ChainFault? fault = null;
        while (fault is null)
        {
            var from = walk.Expected;
            var batch = await db.AuditEvents.AsNoTracking()
                .Where(e => e.Sequence >= from)
                .OrderBy(e => e.Sequence)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                fault = await walk.StepAsync(e, moved => IsChainedElsewhereAsync(db, moved, cancellationToken));
                if (fault is not null)
                {
                    break;
                }
            }
            if (batch.Count < batchSize)
            {
                break;
            }
        }
        fault ??= walk.Finish();
        var pending = sequencer is null ? 0 : await sequencer.PendingAsync(cancellationToken);
        return fault is null
            ? new ChainReport(null, null, walk.IntactMessage() + PendingNote(pending), walk.Checked, walk.Start, latest, pending)
            : new ChainReport(fault.Problem, fault.At, fault.Message, walk.Checked, walk.Start, latest, pending);
    }

    private static string PendingNote(long pending) => pending == 0
        ? ""
        : $" {pending} newer event{(pending == 1 ? " is" : "s are")} committed and waiting to be chained.";

    /// <summary>A moved event still names its old predecessor, and that hash belongs to some event other than its new predecessor.</summary>
    private static async ValueTask<bool> IsChainedElsewhereAsync(PortalDbContext db, AuditEvent e, CancellationToken cancellationToken) =>
        await db.AuditEvents.AnyAsync(other => other.Hash == e.PreviousHash && other.Sequence != e.Sequence - 1, cancellationToken);
}
