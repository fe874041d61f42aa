using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Challenges;

/// <summary>
/// A one-time code sent to a phone or mailbox. The code itself is never stored: only its keyed hash, so a copy of the
/// database does not let anyone answer a challenge.
/// </summary>
public sealed class OtpChallenge
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>What the code proves, for example "sign-in", "verify-phone" or "api".</summary>
    public required string Purpose { get; init; }

    /// <summary>The user who asked for it; a check for anyone else finds nothing.</summary>
    public string? UserId { get; init; }

    /// <summary>The API client that asked for it; a check by another client finds nothing.</summary>
    public string? ClientId { get; init; }

    public required Channel Channel { get; init; }

    /// <summary>Keyed hash of the normalised destination (tagged with its key version): finds a challenge by phone or mailbox without keeping it.</summary>
    public required string DestinationHash { get; init; }

    public required string MaskedDestination { get; init; }

    /// <summary>ISO region of an SMS destination, so a resend is held to the same country rules.</summary>
    public string? Region { get; init; }

    /// <summary>HMAC-SHA256 of the live code, bound to this challenge's id.</summary>
    public required byte[] CodeHash { get; set; }

    /// <summary>The version of the code key <see cref="CodeHash"/> was made with, so a rotation orphans no live code.</summary>
    public int CodeKeyVersion { get; set; } = 1;

    public DateTimeOffset ExpiresAt { get; set; }

    public int Checks { get; set; }

    public int Sends { get; set; }

    public DateTimeOffset? LastSentAt { get; set; }

    public ChallengeStatus Status { get; set; } = ChallengeStatus.Pending;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>The queued message carrying the live code.</summary>
    public Guid? MessageId { get; set; }
}

public enum ChallengeStatus
{
    Pending,
    Approved,
    Expired,
    MaxAttemptsReached,
    Canceled,
}

internal sealed class OtpChallengeConfiguration : IEntityTypeConfiguration<OtpChallenge>
{
    public void Configure(EntityTypeBuilder<OtpChallenge> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Purpose).HasMaxLength(32);
        builder.Property(c => c.UserId).HasMaxLength(450);
        builder.Property(c => c.ClientId).HasMaxLength(128);
        builder.Property(c => c.Channel).HasConversion(c => c.Name(), name => Channels.Parse(name) ?? Channel.Email).HasMaxLength(8);
        builder.Property(c => c.DestinationHash).HasMaxLength(64);
        builder.Property(c => c.MaskedDestination).HasMaxLength(64);
        builder.Property(c => c.Region).HasMaxLength(8);
        builder.Property(c => c.CodeHash).HasMaxLength(32);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(24);
        builder.HasIndex(c => new { c.Status, c.ExpiresAt });
        builder.HasIndex(c => c.DestinationHash);
    }
}
