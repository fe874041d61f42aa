using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Accounts;

/// <summary>
/// One signed-in browser: created when the sign-in cookie is issued, named by the cookie's <c>sid</c> claim.
/// Only a summary of the device and a truncated, pseudonymised address are kept, never the raw User-Agent or IP.
/// </summary>
public sealed class UserSession
{
    /// <summary>128 random bits, base64url: the cookie's handle on the row, so it must not be guessable.</summary>
    public required string Id { get; init; }

    public required string UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>"Browser major on OS".</summary>
    public string? Device { get; init; }

    /// <summary>Keyed hash of the address (the audit log's pseudonym), to link sessions from one place.</summary>
    public string? IpPseudonym { get; init; }

    /// <summary>Address with the host part dropped (IPv4 /24, IPv6 /48), for people to recognise a network.</summary>
    public string? IpDisplay { get; init; }

    /// <summary>How it signed in, in words ("password and passkey", "QR approval"), when known.</summary>
    public string? Method { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(32);
        builder.Property(s => s.UserId).HasMaxLength(450);
        builder.Property(s => s.Device).HasMaxLength(128);
        builder.Property(s => s.IpPseudonym).HasMaxLength(32);
        builder.Property(s => s.IpDisplay).HasMaxLength(64);
        builder.Property(s => s.Method).HasMaxLength(64);
        builder.HasIndex(s => new { s.UserId, s.RevokedAt });
        builder.HasIndex(s => s.LastSeenAt);
    }
}
