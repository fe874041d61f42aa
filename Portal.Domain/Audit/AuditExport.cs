using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// The verifiable export (<c>GET /admin/audit/export?format=jsonl</c>): JSON lines, in this order: one
/// <c>header</c> (format, signing key id and public key), every <c>checkpoint</c>, every <c>event</c> of the chain in
/// sequence order with all its hash inputs, and an <c>end</c> line with the counts, so a file cut short is noticed.
/// <see cref="AuditExportVerifier"/> checks it offline with nothing but the public key.
/// </summary>
public sealed class AuditExport(IDbContextFactory<PortalDbContext> dbFactory, AuditCheckpoints checkpoints, AuditSequencer sequencer, TimeProvider time)
{
    public const string Format = "tessera-audit-export/v1";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken = default)
    {
        await sequencer.FlushAsync(cancellationToken);
        var key = await checkpoints.PublicKeyAsync(cancellationToken);
        var all = await checkpoints.ListAsync(cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        await WriteLineAsync(writer, new ExportLine
        {
            Type = "header", Format = Format, ExportedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Algorithm = AuditCheckpointSignature.Algorithm, KeyId = key.KeyId, PublicKey = key.Pem,
        });
        foreach (var c in all)
        {
            await WriteLineAsync(writer, ExportLine.From(c));
        }

        long events = 0;
        var after = long.MinValue;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            var from = after;
            var batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(5000)
                .ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                await WriteLineAsync(writer, ExportLine.From(e));
                events++;
            }
            if (batch.Count == 0)
            {
                break;
            }
            after = batch[^1].Sequence;
        }
        await WriteLineAsync(writer, new ExportLine { Type = "end", Events = events, Checkpoints = all.Count });
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task WriteLineAsync(StreamWriter writer, ExportLine line) =>
        await writer.WriteLineAsync(JsonSerializer.Serialize(line, Json));
}

/// <summary>One line of an export; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class ExportLine
{
    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Format { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ExportedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Algorithm { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PublicKey { get; init; }

    // Checkpoint.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Id { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? EventHash { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? CreatedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? EventCount { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Kind { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? KeyId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Signature { get; init; }

    // Event (and a checkpoint's Sequence).
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Sequence { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? OccurredAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? EventType { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Outcome { get; init; }
    public string? ActorId { get; init; }
    public string? SubjectId { get; init; }
    public string? IpPseudonym { get; init; }
    public string? UserAgent { get; init; }
    public string? Detail { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PreviousHash { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Hash { get; init; }

    // End.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Events { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Checkpoints { get; init; }

    public static ExportLine From(AuditCheckpoint c) => new()
    {
        Type = "checkpoint", Id = c.Id, Sequence = c.Sequence, EventHash = c.EventHash, CreatedAt = c.CreatedAt.ToUnixTimeMilliseconds(),
        EventCount = c.EventCount, Kind = c.Kind.ToString(), KeyId = c.KeyId, Signature = c.Signature,
    };

    public static ExportLine From(AuditEvent e) => new()
    {
        Type = "event", Sequence = e.Sequence, OccurredAt = e.OccurredAt.ToUnixTimeMilliseconds(), EventType = e.Type,
        Outcome = e.Outcome.ToString(), ActorId = e.ActorId, SubjectId = e.SubjectId, IpPseudonym = e.IpPseudonym,
        UserAgent = e.UserAgent, Detail = e.Detail, PreviousHash = e.PreviousHash, Hash = e.Hash,
    };
}
