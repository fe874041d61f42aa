using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Audit;

/// <summary>One append-only security event. <see cref="Hash"/> covers every field and the previous event's hash.</summary>
public sealed class AuditEvent
{
    /// <summary>Position in the chain, 1-based and gapless; the primary key, so two writers cannot both take it.</summary>
    public long Sequence { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public required string Type { get; init; }

    public required AuditOutcome Outcome { get; init; }

    public string? ActorId { get; init; }

    public string? SubjectId { get; init; }

    /// <summary>Keyed hash of the client address: lets events from one address be linked without storing it.</summary>
    public string? IpPseudonym { get; init; }

    public string? UserAgent { get; init; }

    public string? Detail { get; init; }

    public required string PreviousHash { get; init; }

    public string Hash { get; set; } = "";
}

public enum AuditOutcome
{
    Success,
    Failure,
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.SubjectId).HasMaxLength(64);
        builder.Property(e => e.IpPseudonym).HasMaxLength(32);
        builder.Property(e => e.UserAgent).HasMaxLength(128);
        builder.Property(e => e.Detail).HasMaxLength(512);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        // The search turns a time range into a sequence range and orders by sequence, so each filter column is paired
        // with Sequence: a filtered page is one index range read in order, and its count reads only that index.
        builder.HasIndex(e => new { e.Type, e.Sequence });
        builder.HasIndex(e => new { e.SubjectId, e.Sequence });
        builder.HasIndex(e => new { e.IpPseudonym, e.Sequence });
        builder.HasIndex(e => new { e.Outcome, e.Sequence });
        // A time bound becomes a sequence with one seek here (search, export, retention).
        builder.HasIndex(e => new { e.OccurredAt, e.Sequence });
        // The dashboard counts by type and outcome over a time range from this index alone.
        builder.HasIndex(e => new { e.Type, e.OccurredAt, e.Outcome });
    }
}
