using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Risk;

/// <summary>
/// One successful (or step-up-passed) sign-in, as the risk engine remembers it: features only, what identifies an
/// address, a browser build or a device as a keyed hash. Bounded per user (Risk:HistoryRetention, Risk:MaxHistoryPerUser)
/// and erased with the account. The city and point are kept for impossible travel and for the user's own view.
/// </summary>
public sealed class RiskSignIn
{
    public long Id { get; init; }

    public required string UserId { get; init; }

    public DateTimeOffset At { get; init; }

    public string? Country { get; init; }

    public long? Asn { get; init; }

    public string? AsnOrganisation { get; init; }

    public string? NetworkKey { get; init; }

    public string? AddressKey { get; init; }

    public string? City { get; init; }

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    public int? AccuracyKm { get; init; }

    public string? DeviceType { get; init; }

    public string? Os { get; init; }

    public string? Browser { get; init; }

    public string? UserAgentKey { get; init; }

    /// <summary>Cleared when the user forgets the device: it then proves nothing.</summary>
    public string? DeviceKey { get; set; }

    public SignInFeatures ToFeatures() => new(
        At, Country, Asn, AsnOrganisation, NetworkKey, AddressKey, City,
        Latitude is { } lat && Longitude is { } lon ? new GeoPoint(lat, lon, AccuracyKm ?? 0) : null,
        DeviceType, Os, Browser, UserAgentKey, DeviceKey);

    public static RiskSignIn From(string userId, SignInFeatures f) => new()
    {
        UserId = userId,
        At = f.At,
        Country = f.Country,
        Asn = f.Asn,
        AsnOrganisation = f.AsnOrganisation is { Length: > 128 } org ? org[..128] : f.AsnOrganisation,
        NetworkKey = f.NetworkKey,
        AddressKey = f.AddressKey,
        City = f.City is { Length: > 128 } city ? city[..128] : f.City,
        Latitude = f.Location?.Latitude,
        Longitude = f.Location?.Longitude,
        AccuracyKm = f.Location?.AccuracyKm,
        DeviceType = f.DeviceType,
        Os = f.Os,
        Browser = f.Browser,
        UserAgentKey = f.UserAgentKey,
        DeviceKey = f.DeviceKey,
    };
}

/// <summary>How many sign-ins of the whole population had a feature key ("*": all of them). Never names a person.</summary>
public sealed class RiskFrequency
{
    public const string TotalKey = "*";

    public required string Key { get; init; }

    public long Count { get; set; }
}

internal sealed class RiskSignInConfiguration : IEntityTypeConfiguration<RiskSignIn>
{
    public void Configure(EntityTypeBuilder<RiskSignIn> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.UserId).HasMaxLength(450);
        builder.HasIndex(s => new { s.UserId, s.At });
        builder.Property(s => s.Country).HasMaxLength(2);
        builder.Property(s => s.AsnOrganisation).HasMaxLength(128);
        builder.Property(s => s.NetworkKey).HasMaxLength(32);
        builder.Property(s => s.AddressKey).HasMaxLength(32);
        builder.Property(s => s.City).HasMaxLength(128);
        builder.Property(s => s.DeviceType).HasMaxLength(16);
        builder.Property(s => s.Os).HasMaxLength(32);
        builder.Property(s => s.Browser).HasMaxLength(48);
        builder.Property(s => s.UserAgentKey).HasMaxLength(32);
        builder.Property(s => s.DeviceKey).HasMaxLength(32);
        builder.HasOne<Accounts.ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskFrequencyConfiguration : IEntityTypeConfiguration<RiskFrequency>
{
    public void Configure(EntityTypeBuilder<RiskFrequency> builder)
    {
        builder.HasKey(f => f.Key);
        builder.Property(f => f.Key).HasMaxLength(200);
    }
}
