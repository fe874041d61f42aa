using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Accounts;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Factors.Push;

/// <summary>
/// A browser or installed Tessera app that receives sign-in approvals by Web Push (RFC 8030). Its subscription (the
/// push service's endpoint and the browser's keys) is encrypted at rest: whoever holds it can send that browser pushes.
/// </summary>
public sealed class PushDevice
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserId { get; init; }

    /// <summary>The user's name for it ("Pixel 8"); the second-step page offers "Send a push to Pixel 8".</summary>
    public required string Name { get; set; }

    /// <summary>The push service's URL for this subscription: a capability, so encrypted like a key.</summary>
    [Encrypted]
    public required string Endpoint { get; set; }

    /// <summary>SHA-256 of <see cref="Endpoint"/>: the same browser subscribing again updates its row instead of adding one.</summary>
    public required byte[] EndpointHash { get; init; }

    /// <summary>The browser's P-256 public key (RFC 8291 <c>p256dh</c>, base64url), which payloads are encrypted to.</summary>
    [Encrypted]
    public required string P256dh { get; set; }

    /// <summary>The browser's 16-byte authentication secret (RFC 8291 <c>auth</c>, base64url).</summary>
    [Encrypted]
    public required string Auth { get; set; }

    /// <summary>"Chrome 131 on Android" at registration.</summary>
    public string? Device { get; set; }

    /// <summary>The VAPID key version the browser subscribed with: a push must be signed with that key, not a newer one.</summary>
    public int VapidVersion { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class PushDeviceConfiguration : IEntityTypeConfiguration<PushDevice>
{
    public void Configure(EntityTypeBuilder<PushDevice> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.UserId).HasMaxLength(450);
        builder.Property(d => d.Name).HasMaxLength(PushDevices.MaxNameLength);
        builder.Property(d => d.Endpoint).HasMaxLength(4096);
        builder.Property(d => d.EndpointHash).HasMaxLength(32);
        builder.Property(d => d.P256dh).HasMaxLength(512);
        builder.Property(d => d.Auth).HasMaxLength(256);
        builder.Property(d => d.Device).HasMaxLength(128);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        // One row per subscription and user; one browser may serve two accounts.
        builder.HasIndex(d => new { d.UserId, d.EndpointHash }).IsUnique();
    }
}
