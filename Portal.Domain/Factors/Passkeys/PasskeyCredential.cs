using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Accounts;

namespace Tessera.Domain.Factors;

/// <summary>A WebAuthn credential (passkey or security key) registered by a user.</summary>
public sealed class PasskeyCredential
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserId { get; init; }

    /// <summary>The authenticator's id for the credential: unique across all users, so it names exactly one owner.</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The COSE public key. Not a secret: it only verifies signatures, so it is stored in clear.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>The last signature counter seen: a counter that does not move forward suggests a cloned authenticator.</summary>
    public long SignCount { get; set; }

    /// <summary>
    /// The authenticator model as it reported itself. Attested only when a metadata BLOB and an allow-list were both
    /// set at registration; otherwise registration asks for no attestation and this is the authenticator's claim.
    /// </summary>
    public Guid Aaguid { get; init; }

    /// <summary>How the browser can reach the authenticator ("internal,hybrid"), comma separated.</summary>
    public string? Transports { get; init; }

    public bool IsBackupEligible { get; init; }

    /// <summary>Whether the passkey is synced (for example through a password manager), as of its last use.</summary>
    public bool IsBackedUp { get; set; }

    public string? AttestationFormat { get; init; }

    /// <summary>The WebAuthn user handle given at registration: it identifies the user in a passwordless assertion.</summary>
    public required byte[] UserHandle { get; init; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class PasskeyCredentialConfiguration : IEntityTypeConfiguration<PasskeyCredential>
{
    public void Configure(EntityTypeBuilder<PasskeyCredential> builder)
    {
        builder.HasKey(c => c.Id);
        // WebAuthn caps credential ids at 1023 bytes; the browser cannot send a longer one.
        builder.Property(c => c.CredentialId).HasMaxLength(1023);
        builder.HasIndex(c => c.CredentialId).IsUnique();
        builder.Property(c => c.PublicKey).HasMaxLength(2048);
        builder.Property(c => c.UserHandle).HasMaxLength(64);
        builder.Property(c => c.Transports).HasMaxLength(128);
        builder.Property(c => c.AttestationFormat).HasMaxLength(32);
        builder.Property(c => c.Name).HasMaxLength(64);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.UserId);
    }
}
