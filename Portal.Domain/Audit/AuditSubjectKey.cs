using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Audit;

/// <summary>
/// The per-user secret under which the audit log names a user. Deleting the row (when the account is erased) is what
/// makes that user's events anonymous: without the secret the pseudonym cannot be recomputed from the user id, and
/// without the row it maps back to nobody.
/// </summary>
public sealed class AuditSubjectKey
{
    public required string UserId { get; init; }

    /// <summary>32 random bytes, encrypted at rest by the Keys module.</summary>
    [Encrypted]
    public required byte[] Secret { get; init; }

    /// <summary>What the audit events store in place of the user id.</summary>
    public required string Pseudonym { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AuditSubjectKeyConfiguration : IEntityTypeConfiguration<AuditSubjectKey>
{
    public void Configure(EntityTypeBuilder<AuditSubjectKey> builder)
    {
        builder.HasKey(k => k.UserId);
        builder.Property(k => k.UserId).HasMaxLength(64);
        builder.Property(k => k.Secret).HasMaxLength(256);
        builder.Property(k => k.Pseudonym).HasMaxLength(32);
        builder.HasIndex(k => k.Pseudonym).IsUnique();
    }
}
