using System.Security.Cryptography;
using System.Text.Json;

namespace Tessera.Domain.Audit;

/// <summary>
/// Checks an export (<see cref="AuditExport"/>) offline: every checkpoint's signature under the given public key, then
/// the chain walk every verifier applies (<see cref="AuditChainWalk"/>), and that the file is whole. Names the first
/// bad line, event or checkpoint.
/// </summary>
public static class AuditExportVerifier
{
    public static async Task<ChainReport> VerifyAsync(TextReader input, ECDsa publicKey, CancellationToken cancellationToken = default)
    {
        var keyId = AuditCheckpointSignature.KeyIdOf(publicKey);
        var checkpoints = new List<AuditCheckpoint>();
        AuditChainWalk? walk = null;
        long events = 0;
        var lastSequence = long.MinValue;
        var lineNumber = 0;
        var headerSeen = false;
        ExportLine? end = null;
        while (await input.ReadLineAsync(cancellationToken) is { } text)
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }
            if (end is not null)
            {
                return Malformed($"Line {lineNumber} follows the end line: something was appended to the export.");
            }
            ExportLine? line;
            try
            {
                line = JsonSerializer.Deserialize<ExportLine>(text, AuditExport.Json);
            }
            catch (JsonException)
            {
                line = null;
            }
            if (line is null)
            {
                return Malformed($"Line {lineNumber} is not a JSON line of an audit export.");
            }
            if (!headerSeen)
            {
                if (line.Type != "header" || line.Format != AuditExport.Format)
                {
                    return Malformed($"Line {lineNumber} is not the header of a {AuditExport.Format} file.");
                }
                headerSeen = true;
                continue;
            }
            switch (line.Type)
            {
                case "checkpoint" when walk is null:
                    if (ToCheckpoint(line) is not { } checkpoint)
                    {
                        return Malformed($"Line {lineNumber} is a checkpoint with fields missing.");
                    }
                    if (checkpoint.KeyId != keyId)
                    {
                        return Report(ChainProblem.ForgedCheckpoint, checkpoint.Sequence,
                            $"Checkpoint {checkpoint.Id} (at event {checkpoint.Sequence}) is not signed by the given key " +
                            $"({checkpoint.KeyId ?? "no key id"}, the key is {keyId}).");
                    }
                    if (!AuditCheckpointSignature.Verify(publicKey, checkpoint))
                    {
                        return Report(ChainProblem.ForgedCheckpoint, checkpoint.Sequence, AuditChainWalk.ForgedMessage(checkpoint));
                    }
                    checkpoints.Add(checkpoint);
                    break;
                case "event":
                    if (ToEvent(line) is not { } e)
                    {
                        return Malformed($"Line {lineNumber} is an event with fields missing.");
                    }
                    walk ??= new AuditChainWalk(checkpoints, e.Sequence);
                    if (e.Sequence <= lastSequence)
                    {
                        return Malformed($"Line {lineNumber}: event {e.Sequence} is out of order (after event {lastSequence}).");
                    }
                    lastSequence = e.Sequence;
                    if (await walk.StepAsync(e, _ => ValueTask.FromResult(false)) is { } fault)
                    {
                        return Report(fault.Problem, fault.At, fault.Message, walk.Checked);
                    }
                    events++;
                    break;
                case "end":
                    end = line;
                    break;
                default:
                    return Malformed($"Line {lineNumber} has the unexpected type '{line.Type}' here.");
            }
        }
        if (!headerSeen || end is null)
        {
            return Malformed("The export has no end line: it was cut short.");
        }
        if (end.Events != events || end.Checkpoints != checkpoints.Count)
        {
            return Malformed($"The end line counts {end.Events} events and {end.Checkpoints} checkpoints, the file holds {events} and {checkpoints.Count}: lines were removed.");
        }
        walk ??= new AuditChainWalk(checkpoints, null);
        if (walk.Finish() is { } truncated)
        {
            return Report(truncated.Problem, truncated.At, truncated.Message, walk.Checked);
        }
        return new ChainReport(null, null, walk.IntactMessage() + $" All {checkpoints.Count} checkpoints are signed by key {keyId}.",
            walk.Checked, walk.Start, AuditChainWalk.Latest(checkpoints));

        ChainReport Malformed(string message) => Report(ChainProblem.ExportMalformed, 0, message, walk?.Checked ?? 0);

        ChainReport Report(ChainProblem problem, long at, string message, long checkedCount = 0) =>
            new(problem, at, message, checkedCount, walk?.Start, AuditChainWalk.Latest(checkpoints));
    }

    private static AuditCheckpoint? ToCheckpoint(ExportLine l) =>
        l is { Id: { } id, Sequence: { } sequence, EventHash: { } hash, CreatedAt: { } created, EventCount: { } count, Signature: { } signature }
            && Enum.TryParse<AuditCheckpointKind>(l.Kind, out var kind)
            ? new AuditCheckpoint
            {
                Id = id, Sequence = sequence, EventHash = hash, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created),
                EventCount = count, Kind = kind, KeyId = l.KeyId, Signature = signature,
            }
            : null;

    private static AuditEvent? ToEvent(ExportLine l) =>
        l is { Sequence: { } sequence, OccurredAt: { } occurred, EventType: { } type, PreviousHash: { } previous, Hash: { } hash }
            && Enum.TryParse<AuditOutcome>(l.Outcome, out var outcome)
            ? new AuditEvent
            {
                Sequence = sequence, OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(occurred), Type = type, Outcome = outcome,
                ActorId = l.ActorId, SubjectId = l.SubjectId, IpPseudonym = l.IpPseudonym, UserAgent = l.UserAgent, Detail = l.Detail,
                PreviousHash = previous, Hash = hash,
            }
            : null;
}
