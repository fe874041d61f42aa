using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Risk;

/// <summary>
/// A browser a user signed in from, recognised by a random id in a signed, HttpOnly, long-lived cookie (stored here
/// only as a keyed hash). "Remember this device" sets <see cref="TrustedUntil"/> under the user's security stamp of
/// the moment: a password change, a reset or "This wasn't me" ends every device's trust at once.
/// </summary>
public sealed class KnownDevice
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public required string UserId { get; init; }

    public required string DeviceKey { get; init; }

    public required string Name { get; set; }

    public DateTimeOffset FirstSeenAt { get; init; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>"near London, GB", as GeoIP placed the last sign-in.</summary>
    public string? LastPlace { get; set; }

    public int SignIns { get; set; }

    public DateTimeOffset? TrustedUntil { get; set; }

    public string? TrustedStamp { get; set; }
}

internal sealed class KnownDeviceConfiguration : IEntityTypeConfiguration<KnownDevice>
{
    public void Configure(EntityTypeBuilder<KnownDevice> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.UserId).HasMaxLength(450);
        builder.Property(d => d.DeviceKey).HasMaxLength(32);
        builder.HasIndex(d => new { d.UserId, d.DeviceKey }).IsUnique();
        builder.Property(d => d.Name).HasMaxLength(64);
        builder.Property(d => d.LastPlace).HasMaxLength(160);
        builder.Property(d => d.TrustedStamp).HasMaxLength(256);
        builder.HasOne<Accounts.ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
