using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.CrossDevice;

/// <summary>
/// One QR cross-device sign-in: started by a browser that wants to sign in, approved from a phone that already is.
/// Only hashes of the QR token and of the browser's nonce are kept, so a copy of the table cannot approve or redeem.
/// </summary>
public sealed class QrSignInSession
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>SHA-256 of the token in the QR code: unique, the phone's only handle on the session.</summary>
    public required byte[] TokenHash { get; init; }

    /// <summary>SHA-256 of the nonce in the starting browser's HttpOnly cookie: only that browser can redeem.</summary>
    public required byte[] BrowserNonceHash { get; init; }

    /// <summary>Shown on the laptop, picked on the phone: a phished QR code shows the attacker's number, not the user's.</summary>
    public int Number { get; init; }

    public DateTimeOffset ExpiresAt { get; set; }

    public QrSignInStatus Status { get; set; } = QrSignInStatus.Pending;

    /// <summary>Keyed hash of the starting browser's address, for the per-address cap and the audit trail.</summary>
    public string? RequesterIpPseudonym { get; init; }

    /// <summary>"Browser major on OS" of the starting browser, shown on the phone.</summary>
    public string? RequesterDevice { get; init; }

    /// <summary>Set by the scan: from then on only this user may approve or deny.</summary>
    public string? ApproverUserId { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ScannedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public DateTimeOffset? RedeemedAt { get; set; }

    /// <summary>The starting browser's risk features (keys, not values: see Risk.SignInFeatures), as JSON: its place for the phone.</summary>
    public string? RequesterFeatures { get; init; }

    /// <summary>Set by the scan when the risk engine found the screen's sign-in unusual for the approver: a step-up on the phone is owed.</summary>
    public bool ApprovalNeedsStepUp { get; set; }
}

public enum QrSignInStatus
{
    Pending,
    Scanned,
    Approved,
    Denied,
    Expired,
    Redeemed,
}

internal sealed class QrSignInSessionConfiguration : IEntityTypeConfiguration<QrSignInSession>
{
    public void Configure(EntityTypeBuilder<QrSignInSession> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.TokenHash).HasMaxLength(32);
        builder.Property(s => s.BrowserNonceHash).HasMaxLength(32);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.RequesterIpPseudonym).HasMaxLength(32);
        builder.Property(s => s.RequesterDevice).HasMaxLength(128);
        builder.Property(s => s.ApproverUserId).HasMaxLength(450);
        builder.Property(s => s.RequesterFeatures).HasMaxLength(2048);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => new { s.RequesterIpPseudonym, s.ExpiresAt });
    }
}
