using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tessera.Domain.Policies;
using Tessera.Domain.Risk;

namespace Tessera.Portal.Tests.Domain;

public sealed class RiskEvaluationReplayTests
{
    private static readonly DateTimeOffset Start = new(2020, 2, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Replay_LearnsOnlyFromSuccessfulLegitimateSignIns()
    {
        var replay = Replay();
        replay.Next(Login(Start));
        replay.Next(Login(Start.AddMinutes(1), successful: false));
        replay.Next(Login(Start.AddMinutes(2), takeover: true, country: "RU"));

        var next = replay.Next(Login(Start.AddMinutes(3)));

        Assert.Equal(1, next.Score.HistoryCount);
        Assert.Equal(2, replay.Population.Total);
    }

    [Fact]
    public void Replay_ASuccess_EndsTheUsersRunOfFailures()
    {
        var replay = Replay();
        replay.Next(Login(Start));
        replay.Next(Login(Start.AddMinutes(1), successful: false) with { IpAddress = "84.209.1.1" });
        replay.Next(Login(Start.AddMinutes(2)));

        var next = replay.Next(Login(Start.AddMinutes(3)));

        Assert.DoesNotContain(next.Score.Reasons, r => r.Feature == "user failures");
    }

    [Fact]
    public void Replay_FailuresOfTheLastHour_RaiseTheScore()
    {
        var replay = Replay();
        for (var i = 0; i < 5; i++)
        {
            replay.Next(Login(Start.AddDays(i)));
        }
        var calm = replay.Next(Login(Start.AddDays(5))).Score.Value;
        replay.Next(Login(Start.AddDays(6), successful: false));
        replay.Next(Login(Start.AddDays(6).AddMinutes(1), successful: false));

        var afterFailures = replay.Next(Login(Start.AddDays(6).AddMinutes(2)));

        Assert.Contains(afterFailures.Score.Reasons, r => r.Feature == "user failures");
        Assert.True(afterFailures.Score.Value > calm, $"{afterFailures.Score.Value} after two failures, {calm} before");
    }

    [Fact]
    public void Replay_HistoryKeepsAtMostMaxHistoryPerUser()
    {
        var replay = Replay(new RiskOptions { MaxHistoryPerUser = 4 });
        for (var i = 0; i < 10; i++)
        {
            replay.Next(Login(Start.AddHours(i)));
        }

        Assert.Equal(4, replay.Next(Login(Start.AddHours(11))).Score.HistoryCount);
    }

    [Fact]
    public void Replay_HistoryForgetsSignInsOlderThanTheRetention()
    {
        var replay = Replay(new RiskOptions { HistoryRetention = TimeSpan.FromDays(30) });
        for (var i = 0; i < 6; i++)
        {
            replay.Next(Login(Start.AddDays(i)));
        }
        replay.Next(Login(Start.AddDays(33)));

        // Within 30 days before day 34, as the live engine counts (at or after the cutoff): days 4, 5 and 33.
        Assert.Equal(3, replay.Next(Login(Start.AddDays(34))).Score.HistoryCount);
    }

    [Fact]
    public void Replay_AttemptsOutOfTimeOrder_AreRefused()
    {
        var replay = Replay();
        replay.Next(Login(Start.AddHours(1)));

        Assert.Throws<ArgumentException>(() => replay.Next(Login(Start)));
    }

    [Fact]
    public void Features_WithoutCountryInTheRow_ComeFromTheConfiguredGeoIpDatabases()
    {
        var options = new RiskOptions();
        options.GeoIp.CityDatabase = Path.Combine(AppContext.BaseDirectory, "Support", "GeoIp", "GeoIP2-City-Test.mmdb");
        using var geo = new MaxMindGeoLocator(Options.Create(options), NullLogger<MaxMindGeoLocator>.Instance);
        var replay = new RiskReplay(new RiskModel(), new RiskPolicy(), options, geo, v => v);

        var features = replay.FeaturesOf(Login(Start, country: null) with { IpAddress = "89.160.20.112", City = null });

        Assert.Equal("SE", features.Country);
        Assert.Equal("Linköping", features.City);
        Assert.NotNull(features.Location);
        Assert.Equal(29695, features.Asn);
    }

    [Fact]
    public void Features_TheRowsBrowserOsAndDeviceType_FillWhatTheUserAgentDoesNotSay()
    {
        var features = Replay().FeaturesOf(Login(Start) with
        {
            UserAgent = "Tessera-Probe/1.0", Browser = "Chrome Mobile 80.0.3987", Os = "Mac OS X 10.15.2", DeviceType = "Mobile",
        });

        Assert.Equal(("Chrome Mobile 80", "macOS", "mobile"), (features.Browser, features.Os, features.DeviceType));
    }

    [Fact]
    public void Replay_LongHistory_IsTrimmedInBatchesOfAnEighth()
    {
        var replay = Replay(new RiskOptions { MaxHistoryPerUser = 16 });
        var sizes = new List<long>();
        for (var i = 0; i < 60; i++)
        {
            sizes.Add(replay.Next(Login(Start.AddHours(i))).Score.HistoryCount);
        }

        // Never more than the bound and an eighth of it (two sign-ins here), never fewer than the bound once reached.
        Assert.All(sizes.Skip(16), n => Assert.InRange(n, 16, 18));
        Assert.Contains(18L, sizes);
    }

    private static RiskReplay Replay(RiskOptions? options = null) =>
        new(new RiskModel(), new RiskPolicy(), options ?? new RiskOptions(), new NoGeoIp(), v => "k" + v.GetHashCode(StringComparison.Ordinal));

    internal static RbaLogin Login(DateTimeOffset at, bool successful = true, bool takeover = false, string? country = "NO", long index = 0) =>
        new(index, at, "user-1", null, takeover ? "95.24.1.1" : "84.208.1.7", country, null, "Oslo", 29695,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36",
            null, null, null, successful, takeover, takeover);

    private sealed class NoGeoIp : IGeoLocator
    {
        public GeoPlace Locate(string? ipAddress) => GeoPlace.Unknown;
    }
}
