using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Audit;

/// <summary>
/// An event committed with its action but not yet in the chain. Actions add it to their own transaction (so a crash
/// can never leave the action without its event) and never touch the chain's tail; <see cref="AuditSequencer"/> moves
/// staged events into <see cref="AuditEvent"/> in batches, assigning sequence numbers and hashes.
/// </summary>
public sealed class AuditStagedEvent
{
    /// <summary>Assigned by the database; orders staged events, nothing more (the chain's order is the sequencer's).</summary>
    public long Id { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public required string Type { get; init; }

    public required AuditOutcome Outcome { get; init; }

    public string? ActorId { get; init; }

    public string? SubjectId { get; init; }

    public string? IpPseudonym { get; init; }

    public string? UserAgent { get; init; }

    public string? Detail { get; init; }

    /// <summary>
    /// The same people, network and time as another event: a unit of work prepares one event before it runs and picks
    /// its type, outcome and detail once it knows what happened.
    /// </summary>
    public AuditStagedEvent With(string type, AuditOutcome outcome, string? detail) => new()
    {
        OccurredAt = OccurredAt,
        Type = type,
        Outcome = outcome,
        ActorId = ActorId,
        SubjectId = SubjectId,
        IpPseudonym = IpPseudonym,
        UserAgent = UserAgent,
        Detail = detail is { Length: > 512 } ? detail[..512] : detail,
    };
}

internal sealed class AuditStagedEventConfiguration : IEntityTypeConfiguration<AuditStagedEvent>
{
    public void Configure(EntityTypeBuilder<AuditStagedEvent> builder)
    {
        builder.ToTable("AuditStaged");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.SubjectId).HasMaxLength(64);
        builder.Property(e => e.IpPseudonym).HasMaxLength(32);
        builder.Property(e => e.UserAgent).HasMaxLength(128);
        builder.Property(e => e.Detail).HasMaxLength(512);
    }
}
