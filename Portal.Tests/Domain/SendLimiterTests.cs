using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class SendLimiterTests : IAsyncLifetime
{
    private static readonly RateLimit Generous = new(1000, TimeSpan.FromHours(1));
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        // 09:20 UTC: twenty minutes into the hour, so a one-hour window frees its slots in forty.
        database.Time.Advance(TimeSpan.FromMinutes(20));
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    public static TheoryData<string> CountingRules =>
        [SendRules.PerUser, SendRules.PerDestination, SendRules.PerIp, SendRules.PerClient, SendRules.PerCountry];

    [Theory]
    [MemberData(nameof(CountingRules))]
    public async Task CheckAsync_RuleAtItsLimit_RefusesWithThatRuleUntilTheWindowEnds(string rule)
    {
        var limiter = Create(OnlyLimit(rule, new RateLimit(2, TimeSpan.FromHours(1))));

        Assert.True((await limiter.CheckAsync(AttemptSharing(rule, 1))).Allowed);
        Assert.True((await limiter.CheckAsync(AttemptSharing(rule, 2))).Allowed);
        var refused = await limiter.CheckAsync(AttemptSharing(rule, 3));

        Assert.False(refused.Allowed);
        Assert.Equal(rule, refused.Rule);
        Assert.Equal(TimeSpan.FromMinutes(40), refused.RetryAfter);
        Assert.False(string.IsNullOrWhiteSpace(refused.Reason));
    }

    [Fact]
    public async Task CheckAsync_WindowEnded_AllowsAgain()
    {
        var limiter = Create(OnlyLimit(SendRules.PerDestination, new RateLimit(1, TimeSpan.FromMinutes(10))));
        Assert.True((await limiter.CheckAsync(Sms("dest-a"))).Allowed);
        var refused = await limiter.CheckAsync(Sms("dest-a"));
        Assert.Equal(SendRules.PerDestination, refused.Rule);

        database.Time.Advance(refused.RetryAfter - TimeSpan.FromMilliseconds(1));
        Assert.False((await limiter.CheckAsync(Sms("dest-a"))).Allowed);
        database.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await limiter.CheckAsync(Sms("dest-a"))).Allowed);
    }

    [Fact]
    public async Task CheckAsync_SmsOutsideTheDefaultRegion_IsRefusedForAnHour()
    {
        var limiter = Create(new PolicySet());

        var refused = await limiter.CheckAsync(Sms("dest-a", region: "FR"));

        Assert.False(refused.Allowed);
        Assert.Equal(SendRules.CountryNotAllowed, refused.Rule);
        Assert.Equal(TimeSpan.FromHours(1), refused.RetryAfter);
        Assert.True((await limiter.CheckAsync(Sms("dest-b", region: "GB"))).Allowed);
    }

    [Fact]
    public async Task CheckAsync_AllowList_ReplacesTheDefaultRegion()
    {
        var limiter = Create(new PolicySet { Sms = new SmsPolicy { AllowedRegions = ["FR", "IE"] } });

        Assert.True((await limiter.CheckAsync(Sms("dest-a", region: "FR"))).Allowed);
        Assert.Equal(SendRules.CountryNotAllowed, (await limiter.CheckAsync(Sms("dest-b", region: "GB"))).Rule);
        Assert.Equal(SendRules.CountryNotAllowed, (await limiter.CheckAsync(Sms("dest-c", region: null))).Rule);
        Assert.True((await limiter.CheckAsync(Email("dest-d"))).Allowed);
    }

    [Fact]
    public async Task CheckAsync_DailySmsCapReached_RefusesUntilTheNextUtcDay()
    {
        var limiter = Create(new PolicySet { Sms = new SmsPolicy { DailyCap = 2 } });
        Assert.True((await limiter.CheckAsync(Sms("dest-a"))).Allowed);
        Assert.True((await limiter.CheckAsync(Sms("dest-b"))).Allowed);

        var refused = await limiter.CheckAsync(Sms("dest-c"));

        Assert.Equal(SendRules.DailySmsCap, refused.Rule);
        Assert.Equal(TimeSpan.FromHours(14) + TimeSpan.FromMinutes(40), refused.RetryAfter);
        Assert.True((await limiter.CheckAsync(Email("dest-c"))).Allowed);
        database.Time.Advance(refused.RetryAfter);
        Assert.True((await limiter.CheckAsync(Sms("dest-c"))).Allowed);
    }

    [Fact]
    public async Task CheckAsync_Refused_DoesNotSpendTheOtherRulesBudget()
    {
        var limiter = Create(new PolicySet
        {
            RateLimits = new RateLimitPolicy
            {
                PerUser = new RateLimit(2, TimeSpan.FromHours(1)),
                PerDestination = new RateLimit(1, TimeSpan.FromHours(1)),
            },
        });
        Assert.True((await limiter.CheckAsync(Sms("dest-a", user: "ada"))).Allowed);
        Assert.Equal(SendRules.PerDestination, (await limiter.CheckAsync(Sms("dest-a", user: "ada"))).Rule);
        Assert.Equal(SendRules.PerDestination, (await limiter.CheckAsync(Sms("dest-a", user: "ada"))).Rule);

        // Ada's second send of her two: the refused ones above were not counted against her.
        Assert.True((await limiter.CheckAsync(Sms("dest-b", user: "ada"))).Allowed);
        Assert.Equal(SendRules.PerUser, (await limiter.CheckAsync(Sms("dest-c", user: "ada"))).Rule);
    }

    [Fact]
    public async Task CheckAsync_FiftyConcurrentAttempts_AllowsExactlyTheLimit()
    {
        var limiter = Create(OnlyLimit(SendRules.PerDestination, new RateLimit(5, TimeSpan.FromHours(1))));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => limiter.CheckAsync(Sms("same-destination", user: $"user-{i}", ip: $"192.0.2.{i}")))));

        Assert.Equal(5, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(SendRules.PerDestination, d.Rule));
    }

    [Fact]
    public async Task CheckAsync_Counters_KeepNoUserIpOrDestination()
    {
        var limiter = Create(new PolicySet());

        await limiter.CheckAsync(Sms("dest-hash-a", user: "user-ada", ip: "192.0.2.7", client: "client-x"));

        await using var db = await database.Factory.CreateDbContextAsync();
        var subjects = await db.SendCounters.Select(c => c.Subject).ToListAsync();
        Assert.Equal(6, subjects.Count);
        Assert.All(subjects, s => Assert.DoesNotContain("ada", s));
        Assert.All(subjects, s => Assert.DoesNotContain("192.0.2.7", s));
        Assert.All(subjects, s => Assert.DoesNotContain("dest-hash-a", s));
    }

    [Fact]
    public async Task CheckAsync_AfterWindowsEnd_PurgesTheirCounters()
    {
        var limiter = Create(OnlyLimit(SendRules.PerDestination, new RateLimit(5, TimeSpan.FromMinutes(1))));
        await limiter.CheckAsync(Email("dest-a"));
        database.Time.Advance(TimeSpan.FromHours(2));

        await limiter.CheckAsync(Email("dest-b"));

        await using var db = await database.Factory.CreateDbContextAsync();
        var now = database.Time.GetUtcNow();
        Assert.All(await db.SendCounters.ToListAsync(), c => Assert.True(c.WindowEnd > now));
        Assert.NotEmpty(await db.SendCounters.ToListAsync());
    }

    private SendLimiter Create(PolicySet policies) =>
        new(database.Factory, new FixedPolicies(policies), database.Secrets, database.Time, Options.Create(new PhoneOptions()));

    /// <summary>Every limit generous except <paramref name="rule"/>'s.</summary>
    private static PolicySet OnlyLimit(string rule, RateLimit limit) => new()
    {
        RateLimits = new RateLimitPolicy
        {
            PerUser = rule == SendRules.PerUser ? limit : Generous,
            PerDestination = rule == SendRules.PerDestination ? limit : Generous,
            PerIp = rule == SendRules.PerIp ? limit : Generous,
            PerApiClient = rule == SendRules.PerClient ? limit : Generous,
            PerCountry = rule == SendRules.PerCountry ? limit : Generous,
        },
    };

    /// <summary>Attempt number <paramref name="n"/>: it shares only what <paramref name="rule"/> counts with the others.</summary>
    private static SendAttempt AttemptSharing(string rule, int n) => Sms(
        rule == SendRules.PerDestination ? "shared-destination" : $"destination-{n}",
        user: rule == SendRules.PerUser ? "shared-user" : $"user-{n}",
        ip: rule == SendRules.PerIp ? "198.51.100.1" : $"192.0.2.{n}",
        client: rule == SendRules.PerClient ? "shared-client" : $"client-{n}");

    private static SendAttempt Sms(string destination, string? region = "GB", string? user = null, string? ip = null, string? client = null) =>
        new(Channel.Sms, destination, region, user, client, ip);

    private static SendAttempt Email(string destination) => new(Channel.Email, destination, null, null, null, null);
}
