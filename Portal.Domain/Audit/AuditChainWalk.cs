namespace Tessera.Domain.Audit;

/// <summary>Where and why a chain walk stopped.</summary>
public sealed record ChainFault(ChainProblem Problem, long At, string Message);

/// <summary>
/// One walk along the chain, fed its events in sequence order: the rules every verifier applies (gapless sequence,
/// each hash over its fields and its predecessor's hash, signed checkpoints matching the events they name, the tail
/// reaching the latest checkpoint). Checkpoint signatures are checked by the caller, before the walk.
/// </summary>
public sealed class AuditChainWalk
{
    private readonly ILookup<long, AuditCheckpoint> bySequence;
    private readonly AuditCheckpoint? latest;
    private string previousHash;

    /// <param name="checkpoints">Every checkpoint (already authenticated).</param>
    /// <param name="oldest">The first event present, or null for an empty log.</param>
    public AuditChainWalk(IReadOnlyCollection<AuditCheckpoint> checkpoints, long? oldest)
    {
        latest = Latest(checkpoints);
        // Retention signs a checkpoint of the last event it deletes: the walk continues from its hash. Events up to a
        // retention checkpoint that are still there (a deletion cut short) are on their way out and are not walked.
        Start = oldest is null
            ? null
            : checkpoints.Where(c => c.Sequence < oldest || c.Kind == AuditCheckpointKind.Retention).MaxBy(c => (c.Sequence, c.Id));
        bySequence = checkpoints.ToLookup(c => c.Sequence);
        previousHash = Start?.EventHash ?? AuditChain.GenesisHash;
        Expected = (Start?.Sequence ?? 0) + 1;
    }

    /// <summary>The checkpoint the walk starts after, or null for the genesis.</summary>
    public AuditCheckpoint? Start { get; }

    /// <summary>The sequence number the next event must have.</summary>
    public long Expected { get; private set; }

    public long Checked { get; private set; }

    public static AuditCheckpoint? Latest(IEnumerable<AuditCheckpoint> checkpoints) => checkpoints.MaxBy(c => (c.Sequence, c.Id));

    public static string ForgedMessage(AuditCheckpoint checkpoint) =>
        $"Checkpoint {checkpoint.Id} (at event {checkpoint.Sequence}) has an invalid signature: it was forged or altered.";

    /// <param name="chainedElsewhere">Whether an event whose link is wrong names the hash of some other event (it was moved).</param>
    public async ValueTask<ChainFault?> StepAsync(AuditEvent e, Func<AuditEvent, ValueTask<bool>> chainedElsewhere)
    {
        if (e.Sequence < Expected)
        {
            return null;
        }
        if (e.Sequence != Expected)
        {
            var last = e.Sequence - 1;
            return new ChainFault(ChainProblem.Missing, Expected, Expected == last
                ? $"Event {Expected} is missing: it was deleted."
                : $"Events {Expected} to {last} are missing: they were deleted.");
        }
        if (AuditChain.ComputeHash(e) != e.Hash)
        {
            return e.PreviousHash != previousHash && await chainedElsewhere(e)
                ? new ChainFault(ChainProblem.Reordered, e.Sequence, $"Event {e.Sequence} was moved: it was chained at another position.")
                : new ChainFault(ChainProblem.Edited, e.Sequence, $"Event {e.Sequence} was edited: its contents no longer match its hash.");
        }
        if (e.PreviousHash != previousHash)
        {
            return new ChainFault(ChainProblem.Edited, e.Sequence,
                $"Event {e.Sequence} does not link to event {e.Sequence - 1}: one of them was edited and its hash recomputed.");
        }
        if (bySequence[e.Sequence].Any(c => c.EventHash != e.Hash))
        {
            return new ChainFault(ChainProblem.Edited, e.Sequence,
                $"Event {e.Sequence} differs from the signed checkpoint of it: the chain was rewritten from there.");
        }
        previousHash = e.Hash;
        Expected++;
        Checked++;
        return null;
    }

    /// <summary>After the last event: whether the chain reaches the latest checkpoint.</summary>
    public ChainFault? Finish()
    {
        var tail = Expected - 1;
        return latest is not null && latest.Sequence > tail
            ? new ChainFault(ChainProblem.TailTruncated, tail + 1,
                $"Tail truncated after checkpoint {latest.Id}: it signed the chain up to event {latest.Sequence}, " +
                $"but the chain ends at event {tail}; events from {tail + 1} were deleted.")
            : null;
    }

    public string IntactMessage() => Checked == 0
        ? "The audit log is empty."
        : $"The hash chain is intact: {Checked} events from {(Start?.Sequence ?? 0) + 1} to {Expected - 1}" +
          (latest is null ? "." : $", up to and beyond checkpoint {latest.Id} at event {latest.Sequence}.");
}
