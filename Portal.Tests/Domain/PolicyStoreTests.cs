using Tessera.Domain.Contacts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Policies;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class PolicyStoreTests : IAsyncLifetime
{
    private static readonly PolicyEditor Admin = new("admin-id", "admin@example.com");
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    public static TheoryData<string> BadFields =>
    [
        "Otp:CodeLength", "Otp:Lifetime", "Otp:MaxChecks", "Otp:ResendCooldown", "Otp:MaxSends", "Otp:TotpWindow",
        "RateLimits:PerUser:Limit", "RateLimits:PerDestination:Window", "RateLimits:PerIp:Window", "RateLimits:PerApiClient:Limit",
        "RateLimits:PerCountry:Window", "Sms:AllowedRegions", "Sms:DailyCap", "Delivery:FallbackOrder",
    ];

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task UpdateAsync_FieldOutOfBounds_IsRejectedNamingIt(string field)
    {
        var store = Create();

        var result = await store.UpdateAsync(WithBad(field), 0, Admin);

        Assert.False(result.Saved);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(Label(field), error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(new PolicySet().Otp, (await store.CurrentAsync()).Otp);
    }

    [Fact]
    public void Validate_DefaultsAndBoundaryValues_AreAccepted()
    {
        var edges = new PolicySet
        {
            Otp = new OtpPolicy { CodeLength = 10, Lifetime = TimeSpan.FromMinutes(60), ResendCooldown = TimeSpan.Zero, TotpWindow = 0 },
            RateLimits = new RateLimitPolicy { PerIp = new RateLimit(1, TimeSpan.FromDays(7)), PerUser = new RateLimit(1, TimeSpan.FromMinutes(1)) },
            Sms = new SmsPolicy { AllowedRegions = ["GB", "US"], DailyCap = 0 },
            Delivery = new DeliveryPolicy { FallbackOrder = [Channel.Email] },
        };

        Assert.Empty(PolicyValidator.Validate(new PolicySet()));
        Assert.Empty(PolicyValidator.Validate(edges));
    }

    [Fact]
    public async Task UpdateAsync_Valid_SavesAndAuditsWhatChangedFromAndTo()
    {
        var store = Create();

        var result = await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 8 } }, 0, Admin);

        Assert.True(result.Saved);
        Assert.Equal(8, (await store.CurrentAsync()).Otp.CodeLength);
        var state = await store.GetAsync();
        Assert.Equal(1, state.Version);
        Assert.Equal("admin@example.com", state.UpdatedBy);
        Assert.Equal(database.Time.GetUtcNow(), state.UpdatedAt);
        var audit = Assert.Single(await database.AuditLog.RecentAsync(10), e => e.Type == AuditEventTypes.PoliciesChanged);
        Assert.Equal(AuditOutcome.Success, audit.Outcome);
        Assert.Equal("admin-id", audit.ActorId);
        Assert.Equal("updated: Otp:CodeLength: 6 → 8", audit.Detail);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_IsRefusedAsAConflict()
    {
        var store = Create();
        Assert.True((await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 8 } }, 0, Admin)).Saved);

        var stale = await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 7 } }, 0, Admin);

        Assert.False(stale.Saved);
        Assert.True(stale.Conflict);
        Assert.Equal(8, (await store.CurrentAsync()).Otp.CodeLength);
    }

    [Fact]
    public async Task CurrentAsync_AnotherNodeSaved_SeesItOnceTheCacheExpires()
    {
        var nodeA = Create();
        var nodeB = Create();
        Assert.Equal(6, (await nodeB.CurrentAsync()).Otp.CodeLength);

        await nodeA.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 9 } }, 0, Admin);

        Assert.Equal(9, (await nodeA.CurrentAsync()).Otp.CodeLength);
        database.Time.Advance(PolicyStore.CacheFor - TimeSpan.FromMilliseconds(1));
        Assert.Equal(6, (await nodeB.CurrentAsync()).Otp.CodeLength);
        database.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(9, (await nodeB.CurrentAsync()).Otp.CodeLength);
    }

    [Fact]
    public async Task ResetAsync_AfterAnEdit_ReturnsToTheConfiguredDefaults()
    {
        var configured = new PolicySet { Sms = new SmsPolicy { DailyCap = 50 } };
        var store = Create(configured);
        await store.UpdateAsync(configured with { Sms = new SmsPolicy { DailyCap = 5 } }, 0, Admin);

        var result = await store.ResetAsync(1, Admin);

        Assert.True(result.Saved);
        Assert.Equal(50, (await store.CurrentAsync()).Sms.DailyCap);
        Assert.False((await store.GetAsync()).Customised);
        var audit = (await database.AuditLog.RecentAsync(10)).First(e => e.Type == AuditEventTypes.PoliciesChanged);
        Assert.Equal("reset to defaults: Sms:DailyCap: 5 → 50", audit.Detail);
    }

    [Fact]
    public void ReadDefaults_ConfiguredLists_ReplaceTheBuiltInOnes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policies:Otp:CodeLength"] = "8",
            ["Policies:RateLimits:PerIp:Limit"] = "7",
            ["Policies:RateLimits:PerIp:Window"] = "00:15:00",
            ["Policies:Sms:AllowedRegions:0"] = "IE",
            ["Policies:Delivery:FallbackOrder:0"] = "email",
        }).Build();

        var defaults = PoliciesExtensions.ReadDefaults(configuration.GetSection("Policies"));

        Assert.Equal(8, defaults.Otp.CodeLength);
        Assert.Equal(new RateLimit(7, TimeSpan.FromMinutes(15)), defaults.RateLimits.PerIp);
        Assert.Equal(new RateLimit(10, TimeSpan.FromHours(1)), defaults.RateLimits.PerUser);
        Assert.Equal(["IE"], defaults.Sms.AllowedRegions);
        Assert.Equal([Channel.Email], defaults.Delivery.FallbackOrder);
    }

    [Fact]
    public void ReadDefaults_UnknownChannelInTheFallbackOrder_IsRefusedNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policies:Delivery:FallbackOrder:0"] = "sms",
            ["Policies:Delivery:FallbackOrder:1"] = "pigeon",
        }).Build();

        var refused = Assert.Throws<OptionsValidationException>(() => PoliciesExtensions.ReadDefaults(configuration.GetSection("Policies")));

        Assert.Contains("Policies:Delivery:FallbackOrder: 'pigeon' is not a channel", Assert.Single(refused.Failures));
    }

    [Fact]
    public void ReadDefaults_RootAppSettings_MatchTheBuiltInDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot(), "appsettings.json")).Build();

        var defaults = PoliciesExtensions.ReadDefaults(configuration.GetSection("Policies"));

        Assert.Equal(PolicyValidator.Flatten(new PolicySet()), PolicyValidator.Flatten(defaults));
    }

    private PolicyStore Create(PolicySet? defaults = null) =>
        new(database.Factory, database.Time, database.AuditLog, Options.Create(new PoliciesOptions { Defaults = defaults ?? new PolicySet() }));

    private static PolicySet WithBad(string field)
    {
        var p = new PolicySet();
        var tooLong = new RateLimit(5, TimeSpan.FromDays(8));
        return field switch
        {
            "Otp:CodeLength" => p with { Otp = p.Otp with { CodeLength = 5 } },
            "Otp:Lifetime" => p with { Otp = p.Otp with { Lifetime = TimeSpan.FromMinutes(61) } },
            "Otp:MaxChecks" => p with { Otp = p.Otp with { MaxChecks = 0 } },
            "Otp:ResendCooldown" => p with { Otp = p.Otp with { ResendCooldown = TimeSpan.FromMinutes(11) } },
            "Otp:MaxSends" => p with { Otp = p.Otp with { MaxSends = 11 } },
            "Otp:TotpWindow" => p with { Otp = p.Otp with { TotpWindow = 3 } },
            "RateLimits:PerUser:Limit" => p with { RateLimits = p.RateLimits with { PerUser = new RateLimit(0, TimeSpan.FromHours(1)) } },
            "RateLimits:PerDestination:Window" => p with { RateLimits = p.RateLimits with { PerDestination = new RateLimit(5, TimeSpan.FromSeconds(59)) } },
            "RateLimits:PerIp:Window" => p with { RateLimits = p.RateLimits with { PerIp = tooLong } },
            "RateLimits:PerApiClient:Limit" => p with { RateLimits = p.RateLimits with { PerApiClient = new RateLimit(-1, TimeSpan.FromHours(1)) } },
            "RateLimits:PerCountry:Window" => p with { RateLimits = p.RateLimits with { PerCountry = tooLong } },
            "Sms:AllowedRegions" => p with { Sms = p.Sms with { AllowedRegions = ["GB", "XX"] } },
            "Sms:DailyCap" => p with { Sms = p.Sms with { DailyCap = -1 } },
            "Delivery:FallbackOrder" => p with { Delivery = new DeliveryPolicy { FallbackOrder = [Channel.Sms, Channel.Sms] } },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    /// <summary>The words each message must use to name its setting.</summary>
    private static string Label(string field) => field switch
    {
        "Otp:CodeLength" => "Code length",
        "Otp:Lifetime" => "Code lifetime",
        "Otp:MaxChecks" => "Checks per code",
        "Otp:ResendCooldown" => "Resend cooldown",
        "Otp:MaxSends" => "Sends per code",
        "Otp:TotpWindow" => "Authenticator window",
        "Sms:AllowedRegions" => "Allowed SMS countries",
        "Sms:DailyCap" => "Daily SMS cap",
        "Delivery:FallbackOrder" => "Fallback order",
        _ => field.Split(':')[1] switch
        {
            "PerUser" => "Per-user", "PerDestination" => "Per-destination", "PerIp" => "Per-IP",
            "PerApiClient" => "Per-API-client", _ => "Per-country",
        },
    };

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }
}
