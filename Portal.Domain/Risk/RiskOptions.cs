using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Risk;

/// <summary>The <c>Risk</c> section: where the GeoIP databases are, and the bounds of what the engine remembers.</summary>
public sealed class RiskOptions
{
    public const string Section = "Risk";

    public GeoIpOptions GeoIp { get; set; } = new();

    /// <summary>Travel faster than this between two sign-ins (after the databases' accuracy radii) is impossible.</summary>
    [Range(50, 20_000, ErrorMessage = "Risk:MaxTravelKmPerHour must be between 50 and 20000.")]
    public double MaxTravelKmPerHour { get; set; } = 900;

    /// <summary>How far back a user's sign-ins count as their history.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "730.00:00:00", ErrorMessage = "Risk:HistoryRetention must be between 1 day and 730 days.")]
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(183);

    /// <summary>At most this many of a user's sign-ins are kept (the newest).</summary>
    [Range(2, 5000, ErrorMessage = "Risk:MaxHistoryPerUser must be between 2 and 5000.")]
    public int MaxHistoryPerUser { get; set; } = 500;

    /// <summary>How long "remember this device" skips the second factor on that device (while the score allows it).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "400.00:00:00", ErrorMessage = "Risk:RememberDeviceFor must be between 1 hour and 400 days.")]
    public TimeSpan RememberDeviceFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>MaxMind database files (GeoLite2 City and ASN are free with an account; Anonymous IP is GeoIP2's). Empty = not used.</summary>
public sealed class GeoIpOptions
{
    public string? CityDatabase { get; set; }

    public string? AsnDatabase { get; set; }

    public string? AnonymousIpDatabase { get; set; }
}
