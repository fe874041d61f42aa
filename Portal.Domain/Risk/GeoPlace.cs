using System.Net;
using System.Net.Sockets;
using MaxMind.GeoIP2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.Domain.Risk;

/// <summary>
/// What GeoIP knows about an address. Every part may be missing: a private address, an address the databases do not
/// cover, or no database at all. Missing is "unknown", which the score treats as neutral, never as suspicious.
/// </summary>
/// <param name="AccuracyKm">The database's accuracy radius around the point, in km.</param>
/// <param name="Anonymiser">A VPN, Tor exit, public or residential proxy (the Anonymous IP database).</param>
/// <param name="Hosting">A hosting or cloud provider's range (the Anonymous IP database).</param>
public sealed record GeoPlace(
    string? Country = null,
    string? City = null,
    double? Latitude = null,
    double? Longitude = null,
    int? AccuracyKm = null,
    long? Asn = null,
    string? AsnOrganisation = null,
    bool Anonymiser = false,
    bool Hosting = false)
{
    public static readonly GeoPlace Unknown = new();

    /// <summary>"near Linköping, SE", "in SE", or null when nothing is known.</summary>
    public string? Describe() => (City, Country) switch
    {
        ({ } city, { } country) => $"near {city}, {country}",
        (null, { } country) => $"in {country}",
        _ => null,
    };

    /// <summary>"AS3320 Deutsche Telekom AG", "AS3320", or null.</summary>
    public string? Network() => Asn is { } asn ? AsnOrganisation is { Length: > 0 } org ? $"AS{asn} {org}" : $"AS{asn}" : null;

    /// <summary>An address GeoIP cannot place by nature: loopback, private, link-local, unique-local, CGNAT.</summary>
    public static bool IsPrivate(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        if (IPAddress.IsLoopback(ip))
        {
            return true;
        }
        var b = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
        }
        return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || (b[0] & 0xFE) == 0xFC;
    }
}

/// <summary>Looks addresses up. A seam: the MaxMind files in production and tests, fixed answers in the evaluation.</summary>
public interface IGeoLocator
{
    GeoPlace Locate(string? ipAddress);
}

/// <summary>
/// The MaxMind databases named by <c>Risk:GeoIp</c>, opened once (memory-mapped) and shared: the readers are
/// thread-safe. A missing file is logged once and treated as "no data", so a newcomer's install runs without them.
/// </summary>
public sealed class MaxMindGeoLocator : IGeoLocator, IDisposable
{
    private readonly DatabaseReader? city;
    private readonly DatabaseReader? asn;
    private readonly DatabaseReader? anonymous;

    public MaxMindGeoLocator(IOptions<RiskOptions> options, ILogger<MaxMindGeoLocator> logger)
    {
        var geo = options.Value.GeoIp;
        city = Open(geo.CityDatabase, "Risk:GeoIp:CityDatabase", logger);
        asn = Open(geo.AsnDatabase, "Risk:GeoIp:AsnDatabase", logger);
        anonymous = Open(geo.AnonymousIpDatabase, "Risk:GeoIp:AnonymousIpDatabase", logger);
    }

    public bool HasCity => city is not null;

    public GeoPlace Locate(string? ipAddress)
    {
        if (!IPAddress.TryParse(ipAddress?.Trim(), out var ip) || GeoPlace.IsPrivate(ip))
        {
            return GeoPlace.Unknown;
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        var place = GeoPlace.Unknown;
        try
        {
            if (city is not null && city.TryCity(ip, out var c) && c is not null)
            {
                place = place with
                {
                    Country = c.Country.IsoCode,
                    City = c.City.Name,
                    Latitude = c.Location.Latitude,
                    Longitude = c.Location.Longitude,
                    AccuracyKm = c.Location.AccuracyRadius,
                };
            }
            if (asn is not null && asn.TryAsn(ip, out var a) && a?.AutonomousSystemNumber is { } number)
            {
                place = place with { Asn = number, AsnOrganisation = a.AutonomousSystemOrganization };
            }
            if (anonymous is not null && anonymous.TryAnonymousIP(ip, out var n) && n is not null)
            {
                place = place with
                {
                    Anonymiser = n.IsAnonymousVpn || n.IsTorExitNode || n.IsPublicProxy || n.IsResidentialProxy,
                    Hosting = n.IsHostingProvider,
                };
            }
        }
        catch (Exception e) when (e is MaxMind.Db.InvalidDatabaseException or InvalidOperationException)
        {
            // A corrupt or mismatched file answers "unknown" rather than failing a sign-in.
            return place;
        }
        return place;
    }

    private static DatabaseReader? Open(string? path, string setting, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        if (!File.Exists(path))
        {
            logger.LogWarning(new EventId(1601, "GeoIpMissing"), "{Setting} names {Path}, which does not exist: places are unknown.", setting, path);
            return null;
        }
        return new DatabaseReader(path);
    }

    public void Dispose()
    {
        city?.Dispose();
        asn?.Dispose();
        anonymous?.Dispose();
    }
}
