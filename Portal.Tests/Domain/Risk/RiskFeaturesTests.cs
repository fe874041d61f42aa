using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Risk;

namespace Tessera.Portal.Tests.Domain.Risk;

/// <summary>The features of an attempt: MaxMind's test databases, the User-Agent's parts, keys instead of values.</summary>
public sealed class RiskFeaturesTests
{
    public static string GeoIpFile(string name) => Path.Combine(AppContext.BaseDirectory, "Support", "GeoIp", name);

    public static MaxMindGeoLocator TestGeoIp() => new(Options.Create(new RiskOptions
    {
        GeoIp = new GeoIpOptions
        {
            CityDatabase = GeoIpFile("GeoIP2-City-Test.mmdb"),
            AsnDatabase = GeoIpFile("GeoLite2-ASN-Test.mmdb"),
            AnonymousIpDatabase = GeoIpFile("GeoIP2-Anonymous-IP-Test.mmdb"),
        },
    }), NullLogger<MaxMindGeoLocator>.Instance);

    [Fact]
    public void AnAddressInTheCityDatabase_HasItsCountryCityPointAndRadius()
    {
        using var geo = TestGeoIp();

        var place = geo.Locate("89.160.20.112");

        Assert.Equal(("SE", "Linköping", 58.4167, 15.6167, 76), (place.Country, place.City, place.Latitude, place.Longitude, place.AccuracyKm));
        Assert.Equal("near Linköping, SE", place.Describe());
    }

    [Fact]
    public void AnAddressInTheAsnDatabase_HasItsNetworkOperator()
    {
        using var geo = TestGeoIp();

        var place = geo.Locate("1.128.0.1");

        Assert.Equal(1221, place.Asn);
        Assert.Equal("AS1221 Telstra Pty Ltd", place.Network());
    }

    [Theory]
    [InlineData("1.2.0.1", true, false)]
    [InlineData("71.160.223.1", false, true)]
    [InlineData("216.160.83.56", false, false)]
    [InlineData("89.160.20.112", false, false)]
    [InlineData("81.2.69.142", true, true)]
    public void TheAnonymousIpDatabase_FlagsAnonymisersAndHosting(string address, bool anonymiser, bool hosting)
    {
        using var geo = TestGeoIp();

        var place = geo.Locate(address);

        Assert.Equal((anonymiser, hosting), (place.Anonymiser, place.Hosting));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.10")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("not an address")]
    [InlineData(null)]
    public void PrivateOrUnreadableAddresses_AreUnknown(string? address)
    {
        using var geo = TestGeoIp();

        Assert.Equal(GeoPlace.Unknown, geo.Locate(address));
    }

    [Fact]
    public void MissingDatabaseFiles_MeanUnknownPlaces_NotAFailure()
    {
        using var geo = new MaxMindGeoLocator(Options.Create(new RiskOptions { GeoIp = new GeoIpOptions { CityDatabase = "/nowhere/city.mmdb" } }),
            NullLogger<MaxMindGeoLocator>.Instance);

        Assert.Equal(GeoPlace.Unknown, geo.Locate("89.160.20.112"));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox", "133", "Windows", "desktop")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome", "131", "Android", "mobile")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari", "17", "iOS", "tablet")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge", "131", "macOS", "desktop")]
    public void UserAgents_SplitIntoBrowserMajorOsAndDeviceType(string userAgent, string browser, string major, string os, string deviceType)
    {
        Assert.Equal(new UserAgentParts(browser, major, os, deviceType), UserAgentSummary.Parse(userAgent));
    }

    [Fact]
    public void Features_KeepIdentifyingValuesOnlyAsKeys_AndTheHourOfTheWeek()
    {
        using var geo = TestGeoIp();
        var at = new DateTimeOffset(2026, 12, 1, 14, 30, 0, TimeSpan.Zero); // a Tuesday

        var features = SignInFeatures.From(at, "89.160.20.112", "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0", "device-id", geo.Locate("89.160.20.112"), v => "k" + v.Length);

        Assert.Equal(24 + 14, features.HourOfWeek);
        Assert.Equal("Firefox 133", features.Browser);
        Assert.DoesNotContain(features.Levels(), l => l.Key.Contains("89.160", StringComparison.Ordinal) || l.Key.Contains("device-id", StringComparison.Ordinal));
        Assert.Equal(["p:SE", "p:SE|29518", "p:SE|29518|k15", "p:SE|29518|k15|k16"], features.Levels().Where(l => l.Family == "place").Select(l => l.Key));
        Assert.All(features.Levels(), l => Assert.True(l.Known, l.Name));
    }

    [Fact]
    public void AnUnknownPart_KeepsItsPlaceInTheKeys_SoTheLevelsBelowStillCompare()
    {
        var features = SignInFeatures.From(DateTimeOffset.UnixEpoch, "203.0.113.9", null, null, GeoPlace.Unknown, v => "k" + v.Length);

        Assert.Equal(["p:?", "p:?|?", "p:?|?|k15", "p:?|?|k15|k14"], features.Levels().Where(l => l.Family == "place").Select(l => l.Key));
        Assert.Equal([false, false, true, true], features.Levels().Where(l => l.Family == "place").Select(l => l.Known));
    }
}
