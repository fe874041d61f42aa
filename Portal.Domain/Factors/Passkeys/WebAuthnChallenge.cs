using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Factors;

/// <summary>
/// The options sent to the browser for one WebAuthn ceremony. Kept in the database, not in memory or a cookie, so that
/// any node can finish the ceremony and a conditional update can consume it exactly once.
/// </summary>
public sealed class WebAuthnChallenge
{
    public const string Registration = "registration";
    public const string Assertion = "assertion";

    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary><see cref="Registration"/> or <see cref="Assertion"/>: a challenge for one never finishes the other.</summary>
    public required string Purpose { get; init; }

    /// <summary>The user the ceremony is for; null for a passwordless assertion, where the passkey names the user.</summary>
    public string? UserId { get; init; }

    /// <summary>The options exactly as sent: verification needs the same challenge, RP id and user verification rule.</summary>
    public required string OptionsJson { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ConsumedAt { get; set; }
}

internal sealed class WebAuthnChallengeConfiguration : IEntityTypeConfiguration<WebAuthnChallenge>
{
    public void Configure(EntityTypeBuilder<WebAuthnChallenge> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Purpose).HasMaxLength(16);
        builder.Property(c => c.UserId).HasMaxLength(450);
        builder.HasIndex(c => c.ExpiresAt);
    }
}
