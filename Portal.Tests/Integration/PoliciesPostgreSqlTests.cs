using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The limiter's upsert and the policy store on PostgreSQL, where concurrent transactions really run side by side.</summary>
[Collection(PostgresRaces.Name)]
public sealed class PoliciesPostgreSqlTests : IAsyncLifetime
{
    private PostgresDatabase? database;
    private IDbContextFactory<PortalDbContext>? factory;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.ServerConnectionString is null)
        {
            return;
        }
        database = await PostgresDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(DatabaseProvider.PostgreSql, database.ConnectionString)
            .Options;
        factory = new Factory(options);
        await using var db = await factory.CreateDbContextAsync();
        await ProviderSetup.MigrateAsync(db);
    }

    public async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task CheckAsync_FiftyConcurrentAttemptsOnPostgreSql_AllowExactlyTheLimit()
    {
        Skip.If(factory is null, PostgresDatabase.SkipReason);
        var limiter = CreateLimiter(new RateLimit(5, TimeSpan.FromHours(1)));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            limiter.CheckAsync(new SendAttempt(Channel.Sms, "same-destination", "GB", $"user-{i}", null, $"192.0.2.{i}")))));

        Assert.Equal(5, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(SendRules.PerDestination, d.Rule));
        await using var db = await factory!.CreateDbContextAsync();
        // Refused attempts were rolled back everywhere: only the five allowed ones were counted per user and per IP.
        Assert.Equal(5, await db.SendCounters.Where(c => c.Rule == SendRules.PerUser).SumAsync(c => c.Count));
        Assert.Equal(5, await db.SendCounters.Where(c => c.Rule == SendRules.PerIp).SumAsync(c => c.Count));
    }

    [SkippableFact]
    public async Task PolicyStore_OnPostgreSql_SavesAndASecondNodeSeesIt()
    {
        Skip.If(factory is null, PostgresDatabase.SkipReason);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var secrets = new SecretStore(factory!, new EphemeralDataProtectionProvider(), time);
        var audit = new AuditLog(factory!, time, new IpPseudonymizer(secrets), new AuditPseudonyms(factory!, time), new AuditSequencer(factory!));
        var defaults = Options.Create(new PoliciesOptions());
        var nodeA = new PolicyStore(factory!, time, audit, defaults);
        var nodeB = new PolicyStore(factory!, time, audit, defaults);
        Assert.Equal(6, (await nodeB.CurrentAsync()).Otp.CodeLength);

        var saved = await nodeA.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 8 }, Sms = new SmsPolicy { AllowedRegions = ["GB", "IE"] } },
            0, new PolicyEditor("admin-id", "admin@example.com"));
        time.Advance(PolicyStore.CacheFor);

        Assert.True(saved.Saved);
        var seen = await nodeB.CurrentAsync();
        Assert.Equal(8, seen.Otp.CodeLength);
        Assert.Equal(["GB", "IE"], seen.Sms.AllowedRegions);
        Assert.True((await nodeB.UpdateAsync(seen with { Otp = seen.Otp with { CodeLength = 7 } }, 0, new PolicyEditor("other", null))).Conflict);
    }

    private SendLimiter CreateLimiter(RateLimit perDestination)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 20, 0, TimeSpan.Zero));
        var secrets = new SecretStore(factory!, new EphemeralDataProtectionProvider(), time);
        var policies = new FixedPolicies(new PolicySet { RateLimits = new RateLimitPolicy { PerDestination = perDestination } });
        return new SendLimiter(factory!, policies, secrets, time, Options.Create(new PhoneOptions()));
    }

    /// <summary>No encrypted column is touched here, so the design-time encryptor (which refuses to encrypt) is enough.</summary>
    private sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(options, DesignTimeFieldEncryptor.Instance);
    }
}
