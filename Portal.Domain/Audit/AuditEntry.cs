namespace Tessera.Domain.Audit;

/// <summary>What a caller knows about an event; the log adds time, sequence and hashes.</summary>
/// <param name="IpAddress">The raw client address: pseudonymised before it is stored, never kept as is.</param>
public sealed record AuditEntry(
    string Type,
    AuditOutcome Outcome,
    string? ActorId = null,
    string? SubjectId = null,
    string? IpAddress = null,
    string? UserAgent = null,
    string? Detail = null);
