using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.CrossDevice;

/// <summary>
/// One request to approve something on the user's push devices: a sign-in's second step, or an API client's
/// verification. The notification carries a link token; the asking browser holds a nonce and shows the number the
/// approver must type. Only hashes of both are kept.
/// </summary>
public sealed class PushApproval
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserId { get; init; }

    public PushApprovalKind Kind { get; init; }

    /// <summary>SHA-256 of the token in the pushed link: the approving page's only handle on the request.</summary>
    public required byte[] TokenHash { get; init; }

    /// <summary>SHA-256 of the asking browser's nonce (its HttpOnly cookie); null for an API request.</summary>
    public byte[]? BrowserNonceHash { get; init; }

    /// <summary>For an API request: the client that made it, the only one that may read it.</summary>
    public string? ClientId { get; init; }

    /// <summary>Shown where the request was made, typed on the push device: a request someone else made shows another number.</summary>
    public int Number { get; init; }

    public PushApprovalStatus Status { get; set; } = PushApprovalStatus.Pending;

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>"Browser major on OS" of the asking browser (for an API request: null).</summary>
    public string? RequesterDevice { get; init; }

    public string? RequesterIpPseudonym { get; init; }

    /// <summary>The asking browser's risk features (keys, see Risk.SignInFeatures), for its approximate place.</summary>
    public string? RequesterFeatures { get; init; }

    /// <summary>An API client's words for what is being approved ("Confirm the payment of €20").</summary>
    public string? Message { get; init; }

    /// <summary>For an API request: the user's masked email, as the client named them.</summary>
    public string? MaskedDestination { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DecidedAt { get; set; }

    public DateTimeOffset? RedeemedAt { get; set; }

    /// <summary>Denied as "This wasn't me".</summary>
    public bool NotMe { get; set; }
}

public enum PushApprovalKind
{
    SignIn,
    Api,

    /// <summary>"Confirm it is you" before a sensitive change in the security center.</summary>
    StepUp,

    /// <summary>
    /// A sign-in without a password, the QR page's alternative: like a QR approval, the phone that answers is signed in
    /// with its own factors, and the number shown on the asking screen must be typed on it.
    /// </summary>
    Passwordless,
}

public enum PushApprovalStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
    Redeemed,
}

internal sealed class PushApprovalConfiguration : IEntityTypeConfiguration<PushApproval>
{
    public void Configure(EntityTypeBuilder<PushApproval> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.UserId).HasMaxLength(450);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.TokenHash).HasMaxLength(32);
        builder.Property(a => a.BrowserNonceHash).HasMaxLength(32);
        builder.Property(a => a.ClientId).HasMaxLength(64);
        builder.Property(a => a.RequesterDevice).HasMaxLength(128);
        builder.Property(a => a.RequesterIpPseudonym).HasMaxLength(32);
        builder.Property(a => a.RequesterFeatures).HasMaxLength(2048);
        builder.Property(a => a.Message).HasMaxLength(PushApprovals.MaxMessageLength);
        builder.Property(a => a.MaskedDestination).HasMaxLength(320);
        builder.HasIndex(a => a.TokenHash).IsUnique();
        // The anti-fatigue counts: a user's requests and denials of the last hour.
        builder.HasIndex(a => new { a.UserId, a.CreatedAt });
    }
}
