using Tessera.Domain.Policies;
using Tessera.Domain.Risk;

namespace Tessera.Portal.Tests.Domain.Risk;

/// <summary>The score on hand-built histories: usual is low, new in every way is high, unknown is neutral.</summary>
public sealed class RiskModelTests
{
    private static readonly DateTimeOffset Monday9 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly GeoPoint London = new(51.5142, -0.0931, 10);
    private static readonly GeoPoint Linkoping = new(58.4167, 15.6167, 76);
    private static readonly RiskModel Model = new();

    private static SignInFeatures Home(DateTimeOffset at, string address = "ip-1", string device = "dev-1") => new(
        at, "GB", 2856, "British Telecom", "net-home", address, "London", London,
        "desktop", "Windows", "Firefox 133", "ua-firefox", device);

    private static SignInFeatures Abroad(DateTimeOffset at) => new(
        at, "SE", 3320, "Telia", "net-se", "ip-se", "Linköping", Linkoping,
        "mobile", "Android", "Chrome 131", "ua-chrome", "dev-2");

    /// <summary>40 sign-ins of one user at home, and a population of other people around them.</summary>
    private static (UserHistory History, FeatureCounts Population) Habitual(int signIns = 40)
    {
        var history = new UserHistory();
        var population = new FeatureCounts();
        for (var i = 0; i < signIns; i++)
        {
            var signIn = Home(Monday9.AddDays(-signIns + i), address: $"ip-{i % 3}");
            history.Add(signIn);
            population.Add(signIn);
        }
        for (var i = 0; i < 400; i++)
        {
            // Others: half in GB on several networks and browsers, some in SE, a few on Android.
            population.Add(new SignInFeatures(Monday9.AddHours(-i), i % 5 == 0 ? "SE" : "GB", i % 5 == 0 ? 3320 : 2856 + i % 4, null,
                $"net-{i % 40}", $"ip-o{i}", null, null, i % 7 == 0 ? "mobile" : "desktop", i % 7 == 0 ? "Android" : "Windows",
                i % 2 == 0 ? "Chrome 131" : "Firefox 133", $"ua-{i % 9}", $"dev-o{i}"));
        }
        return (history, population);
    }

    [Fact]
    public void KnownDevice_InKnownCity_ScoresLow()
    {
        var (history, population) = Habitual();

        var score = Model.Score(Home(Monday9.AddHours(1)), history, population);

        Assert.True(score.Value < 0, $"score {score.Value}: {score.Summary()}");
        Assert.True(new RiskPolicy().Decide(score.Value, score.HasBaseline, hasFactor: true) == RiskDecision.Allow);
        Assert.Contains(score.Reasons, r => r.Text.StartsWith("Known device", StringComparison.Ordinal) && r.Points < 0);
    }

    [Fact]
    public void NewAsnInNewCountry_WithNewBrowser_ScoresHigh_WithReasonsThatSayWhy()
    {
        var (history, population) = Habitual();

        var score = Model.Score(Abroad(Monday9.AddDays(2)), history, population);

        Assert.True(score.Value >= new RiskPolicy().StepUpAt, $"score {score.Value}: {score.Summary()}");
        var country = Assert.Single(score.Reasons, r => r.Feature == "country");
        Assert.Matches(@"^New country SE \(never used by you; \d+% of all sign-ins\): \+\d\.\d$", country.Text);
        Assert.Contains(score.Reasons, r => r.Feature == "device type" && r.Text.StartsWith("New device type mobile", StringComparison.Ordinal));
        // The network and address are new too, but under a country the user never had they add nothing: counted once.
        Assert.DoesNotContain(score.Reasons, r => r.Feature is "network operator" or "address range");
        Assert.Equal(score.Value, score.Reasons.Sum(r => r.Points), 2);
    }

    [Fact]
    public void MissingGeoIp_IsNeutral_NotSuspicious()
    {
        var (history, population) = Habitual();
        var unplaced = Home(Monday9.AddHours(1)) with { Country = null, Asn = null, City = null, Location = null, NetworkKey = null, AddressKey = null };

        var score = Model.Score(unplaced, history, population);

        Assert.DoesNotContain(score.Reasons, r => r.Feature is "country" or "network operator" or "address range" or "address");
        Assert.True(score.Value < 0, $"score {score.Value}: {score.Summary()}");
    }

    [Fact]
    public void ANewAddress_InAVariedUsersHomeNetwork_CostsLessThanForAUserAlwaysOnOne()
    {
        var (varied, population) = Habitual();
        var single = new UserHistory();
        for (var i = 0; i < 40; i++)
        {
            single.Add(Home(Monday9.AddDays(-40 + i), address: "ip-0"));
        }
        var attempt = Home(Monday9.AddHours(1), address: "ip-new");

        var forVaried = Model.Score(attempt, varied, population).Reasons.Single(r => r.Feature == "address").Points;
        var forSingle = Model.Score(attempt, single, population).Reasons.Single(r => r.Feature == "address").Points;

        Assert.True(forVaried < forSingle, $"varied {forVaried}, single {forSingle}");
        Assert.True(forSingle > 1, $"single {forSingle}");
    }

    [Fact]
    public void ANewDevice_AddsNothing_ForCookiesGetCleared()
    {
        var (history, population) = Habitual();

        var score = Model.Score(Home(Monday9.AddHours(1), device: "dev-new"), history, population);

        Assert.DoesNotContain(score.Reasons, r => r.Feature == "device");
    }

    [Fact]
    public void ImpossibleTravel_FromADifferentNetwork_AddsPoints_AndSaysHowFast()
    {
        var history = UserHistory.Of([Home(Monday9), Home(Monday9.AddMinutes(10))]);
        var attempt = Abroad(Monday9.AddMinutes(40));

        var score = Model.Score(attempt, history, new FeatureCounts());

        Assert.True(score.ImpossibleTravel);
        var travel = Assert.Single(score.Reasons, r => r.Feature == "impossible travel");
        Assert.Matches(@"^Impossible travel: 1,\d{3} km from your last sign-in near London, GB 30 minutes earlier \([\d,]+ km/h\): \+2\.0$", travel.Text);
    }

    [Fact]
    public void Travel_WithTheNetworkOrAsnUnchanged_IsNeverImpossible()
    {
        var last = new LastSignIn(Monday9, London, "net-se", 3320, "GB", "London");
        var sameAsn = Abroad(Monday9.AddMinutes(5)) with { NetworkKey = "net-other" };
        var sameNetwork = Abroad(Monday9.AddMinutes(5)) with { Asn = 1, NetworkKey = "net-se" };

        Assert.Null(Model.Travel(sameAsn, last));
        Assert.Null(Model.Travel(sameNetwork, last));
        Assert.NotNull(Model.Travel(sameAsn with { Asn = 1 }, last));
    }

    [Fact]
    public void Travel_WithinTheAccuracyRadii_OrAtAPlaneSpeed_IsPossible()
    {
        var last = new LastSignIn(Monday9, London, "net-home", 2856, "GB", "London");
        var boxford = Home(Monday9.AddMinutes(1)) with { Location = new GeoPoint(51.75, -1.25, 100), NetworkKey = "net-b", Asn = 1 };
        var byPlane = Abroad(Monday9.AddHours(3));

        Assert.Null(Model.Travel(boxford, last));
        Assert.Null(Model.Travel(byPlane, last));
    }

    [Fact]
    public void RecentFailures_RaiseTheScore_Bounded()
    {
        var (history, population) = Habitual();
        var calm = Model.Score(Home(Monday9.AddHours(1)), history, population).Value;

        var stormy = Model.Score(Home(Monday9.AddHours(1)) with { UserFailures = 3, NetworkFailures = 50 }, history, population);

        Assert.Equal(calm + 0.75 + 1.0, stormy.Value, 2);
        Assert.Contains(stormy.Reasons, r => r.Text.StartsWith("3 failed sign-ins to your account", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, true, RiskDecision.StepUp)]
    [InlineData(1, false, RiskDecision.Allow)]
    [InlineData(2, true, RiskDecision.Allow)]
    public void WithoutABaseline_ThePolicyDecides_StepUpWhenTheUserHasAFactor(int history, bool hasFactor, RiskDecision expected)
    {
        var score = Model.Score(Home(Monday9), UserHistory.Of(Enumerable.Range(0, history).Select(i => Home(Monday9.AddDays(-1 - i)))), new FeatureCounts());

        Assert.Equal(history >= 2, score.HasBaseline);
        Assert.Equal(expected, new RiskPolicy().Decide(score.Value, score.HasBaseline, hasFactor));
    }

    [Fact]
    public void AScorePastTheDenyThreshold_IsDenied_EvenWithoutABaseline()
    {
        Assert.Equal(RiskDecision.Deny, new RiskPolicy().Decide(7, hasBaseline: false, hasFactor: false));
        Assert.Equal(RiskDecision.StepUp, new RiskPolicy().Decide(1.5, hasBaseline: true, hasFactor: false));
    }
}
