using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The limiter's upsert on PostgreSQL, where concurrent transactions really run side by side.</summary>
public sealed class SendLimiterPostgreSqlTests : IAsyncLifetime
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
            limiter.CheckAsync(new SendAttempt("sms", "same-destination", "GB", $"user-{i}", null, $"192.0.2.{i}")))));

        Assert.Equal(5, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(SendRules.PerDestination, d.Rule));
        await using var db = await factory!.CreateDbContextAsync();
        // Refused attempts were rolled back everywhere: only the five allowed ones were counted per user and per IP.
        Assert.Equal(5, await db.SendCounters.Where(c => c.Rule == SendRules.PerUser).SumAsync(c => c.Count));
        Assert.Equal(5, await db.SendCounters.Where(c => c.Rule == SendRules.PerIp).SumAsync(c => c.Count));
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
