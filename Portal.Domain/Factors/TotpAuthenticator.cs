using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Accounts;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Factors;

/// <summary>An authenticator app enrolled by a user.</summary>
public sealed class TotpAuthenticator
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserId { get; init; }

    public required string Name { get; set; }

    /// <summary>The shared secret: encrypted at rest by the Keys module, never shown again after enrollment.</summary>
    [Encrypted]
    public required byte[] Secret { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The last time step accepted: a code of this or an earlier step never verifies again (no replay).</summary>
    public long? LastAcceptedStep { get; set; }
}

internal sealed class TotpAuthenticatorConfiguration : IEntityTypeConfiguration<TotpAuthenticator>
{
    public void Configure(EntityTypeBuilder<TotpAuthenticator> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Name).HasMaxLength(64);
        builder.Property(a => a.Secret).HasMaxLength(256);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.UserId);
    }
}
