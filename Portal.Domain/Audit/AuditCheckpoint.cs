using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Audit;

/// <summary>
/// A signed statement "the chain reached event <see cref="Sequence"/> with hash <see cref="EventHash"/>". Without it a
/// deleted tail leaves a shorter chain that still verifies; with it the missing events are noticed.
/// </summary>
public sealed class AuditCheckpoint
{
    public long Id { get; init; }

    /// <summary>The last event the checkpoint covers.</summary>
    public long Sequence { get; init; }

    public required string EventHash { get; init; }

    /// <summary>When it was written, to the millisecond (what is signed).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>How many events the log held up to <see cref="Sequence"/> when it was written (for people, not checked).</summary>
    public long EventCount { get; init; }

    public AuditCheckpointKind Kind { get; init; }

    /// <summary>
    /// ECDSA P-256 with SHA-256 (DER, base64) of the fields above and <see cref="KeyId"/>, verifiable by anyone with the
    /// public key (<see cref="AuditCheckpointSignature"/>). Checkpoints from before signing keys (no key id) carry an
    /// HMAC-SHA256 (hex) until they are signed again at start.
    /// </summary>
    public string Signature { get; set; } = "";

    /// <summary>The version of the checkpoint key <see cref="Signature"/> was made with.</summary>
    public int KeyVersion { get; set; } = 1;

    /// <summary>Names the public key that verifies <see cref="Signature"/> (<see cref="AuditCheckpointSignature.KeyIdOf"/>); null for an HMAC.</summary>
    public string? KeyId { get; set; }
}

public enum AuditCheckpointKind
{
    /// <summary>Written by the recurring job at the tail of the chain.</summary>
    Periodic,

    /// <summary>Written by retention before it deletes every event up to and including <see cref="AuditCheckpoint.Sequence"/>.</summary>
    Retention,
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.EventHash).HasMaxLength(64);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Signature).HasMaxLength(128);
        builder.Property(c => c.KeyId).HasMaxLength(16);
        builder.HasIndex(c => c.Sequence);
    }
}
