using System.Globalization;
using Tessera.Domain.Audit;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Risk;

/// <summary>A point on Earth and how sure the database is of it (km).</summary>
public sealed record GeoPoint(double Latitude, double Longitude, int AccuracyKm);

/// <summary>
/// One level of a feature's hierarchy: its cumulative key and what a person calls it. An unknown value still has a key
/// (with "?"), so the levels below it keep comparing, but it scores nothing itself.
/// </summary>
public sealed record FeatureLevel(string Family, string Name, string Key, string? ParentKey, string? Display, bool Known);

/// <summary>
/// The features of one sign-in attempt. What identifies a person or their machine (the address, its network, the full
/// User-Agent, the device cookie) is carried only as a key: a keyed hash, never the value. Any part may be null: unknown.
/// </summary>
public sealed record SignInFeatures(
    DateTimeOffset At,
    string? Country = null,
    long? Asn = null,
    string? AsnOrganisation = null,
    string? NetworkKey = null,
    string? AddressKey = null,
    string? City = null,
    GeoPoint? Location = null,
    string? DeviceType = null,
    string? Os = null,
    string? Browser = null,
    string? UserAgentKey = null,
    string? DeviceKey = null,
    bool Anonymiser = false,
    bool Hosting = false,
    int UserFailures = 0,
    int NetworkFailures = 0)
{
    public const string Place = "place";
    public const string Agent = "agent";
    public const string Time = "time";
    public const string Device = "device";

    /// <summary>Hour of the week (0 = Monday 00:00 UTC … 167), a habit rather than a place.</summary>
    public int HourOfWeek => ((int)At.UtcDateTime.DayOfWeek + 6) % 7 * 24 + At.UtcDateTime.Hour;

    /// <summary>"near Linköping, SE", "in SE", or null.</summary>
    public string? PlaceName => new GeoPlace(Country, City).Describe();

    /// <summary>
    /// Freeman et al.'s hierarchies, coarse to fine: country → ASN → network → address; device type → OS → browser and
    /// major version → full User-Agent; part of the day → hour of the week; and the device cookie. Keys are cumulative
    /// (a network's key holds its ASN's and country's), so each level is conditioned on the one above it. An unknown
    /// part keeps its place as "?" so the levels below still compare.
    /// </summary>
    public IReadOnlyList<FeatureLevel> Levels()
    {
        var levels = new List<FeatureLevel>(11);
        Chain(levels, Place,
            ("country", Country, Country),
            ("network operator", Asn?.ToString(CultureInfo.InvariantCulture), Asn is { } asn ? $"AS{asn}" : null),
            ("address range", NetworkKey, null),
            ("address", AddressKey, null));
        Chain(levels, Agent,
            ("device type", DeviceType, DeviceType),
            ("operating system", Os, Os),
            ("browser", Browser, Browser),
            ("browser build", UserAgentKey, null));
        var hour = HourOfWeek;
        Chain(levels, Time,
            ("time of day", (hour % 24 / 6).ToString(CultureInfo.InvariantCulture), $"{hour % 24 / 6 * 6:00}:00–{hour % 24 / 6 * 6 + 6:00}:00 UTC"),
            ("hour of the week", hour.ToString(CultureInfo.InvariantCulture),
                $"{CultureInfo.InvariantCulture.DateTimeFormat.GetDayName((DayOfWeek)((hour / 24 + 1) % 7))} {hour % 24:00}:00 UTC"));
        Chain(levels, Device, ("device", DeviceKey, null));
        return levels;
    }

    private static void Chain(List<FeatureLevel> levels, string family, params (string Name, string? Value, string? Display)[] parts)
    {
        string? parent = null;
        var prefix = family[0] + ":";
        foreach (var (name, value, display) in parts)
        {
            var key = prefix + (parent is null ? "" : parent[2..] + "|") + (value ?? "?");
            levels.Add(new FeatureLevel(family, name, key, parent, display, value is not null));
            parent = key;
        }
    }

    /// <summary>
    /// The features of an attempt from what the web layer saw. <paramref name="pseudonym"/> turns identifying values into
    /// keys (a keyed hash in the live engine); the place comes from GeoIP (or, in the evaluation, from the data set).
    /// </summary>
    public static SignInFeatures From(
        DateTimeOffset at, string? ipAddress, string? userAgent, string? deviceId, GeoPlace place, Func<string, string> pseudonym,
        int userFailures = 0, int networkFailures = 0)
    {
        // A private address keeps its network (the same office LAN is the same place), but GeoIP has nothing for it.
        var network = Networks.Of(ipAddress);
        System.Net.IPAddress.TryParse(ipAddress?.Trim(), out var ip);
        var agent = UserAgentSummary.Parse(userAgent);
        return new SignInFeatures(
            at,
            place.Country,
            place.Asn,
            place.AsnOrganisation,
            network is null ? null : pseudonym("net|" + network),
            network is null ? null : pseudonym("ip|" + ip),
            place.City,
            place is { Latitude: { } lat, Longitude: { } lon } ? new GeoPoint(lat, lon, place.AccuracyKm ?? 0) : null,
            agent.DeviceType,
            agent.Os,
            agent.Browser is { } b ? $"{b} {agent.Major}" : null,
            string.IsNullOrWhiteSpace(userAgent) ? null : pseudonym("ua|" + userAgent.Trim()),
            string.IsNullOrWhiteSpace(deviceId) ? null : pseudonym("dev|" + deviceId),
            place.Anonymiser,
            place.Hosting,
            userFailures,
            networkFailures);
    }
}
