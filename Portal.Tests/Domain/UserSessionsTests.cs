using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class UserSessionsTests : IAsyncLifetime
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private TestDatabase database = null!;
    private UserSessions sessions = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        sessions = new UserSessions(database.Factory, database.Time, database.Pseudonymizer);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Start_KeepsDeviceSummaryAndTruncatedAddress_NeverTheRawOnes()
    {
        var id = await sessions.StartAsync("u1", Chrome, "203.0.113.77", "password");

        var view = Assert.Single(await sessions.ListActiveAsync("u1"));
        Assert.Equal(id, view.Id);
        Assert.Equal("Chrome 131 on Windows", view.Device);
        Assert.Equal("203.0.113.x", view.IpDisplay);
        Assert.Equal("password", view.Method);
        await using var db = await database.Factory.CreateDbContextAsync();
        var row = await db.UserSessions.SingleAsync();
        Assert.Equal(await database.Pseudonymizer.PseudonymizeAsync("203.0.113.77"), row.IpPseudonym);
        Assert.DoesNotContain("77", row.IpDisplay);
    }

    [Fact]
    public async Task Start_GivesEachSignInItsOwnUnguessableId()
    {
        var first = await sessions.StartAsync("u1", Chrome, null, null);
        var second = await sessions.StartAsync("u1", Chrome, null, null);

        Assert.NotEqual(first, second);
        Assert.True(first.Length >= 22);
        Assert.Equal(2, (await sessions.ListActiveAsync("u1")).Count);
        Assert.Empty(await sessions.ListActiveAsync("u2"));
    }

    [Fact]
    public async Task Validate_RefusesAnotherUsersSessionAndUnknownIds()
    {
        var id = await sessions.StartAsync("u1", Chrome, null, null);

        Assert.True(await sessions.ValidateAsync(id, "u1"));
        Assert.False(await sessions.ValidateAsync(id, "u2"));
        Assert.False(await sessions.ValidateAsync("no-such-session", "u1"));
        Assert.False(await sessions.ValidateAsync(null, "u1"));
    }

    [Fact]
    public async Task Revoke_EndsTheSessionAtOnce_EvenWhenItWasCached()
    {
        var id = await sessions.StartAsync("u1", Chrome, null, null);
        Assert.True(await sessions.ValidateAsync(id, "u1"));

        Assert.True(await sessions.RevokeAsync("u1", id));

        Assert.False(await sessions.ValidateAsync(id, "u1"));
        Assert.Empty(await sessions.ListActiveAsync("u1"));
        Assert.False(await sessions.RevokeAsync("u1", id));
    }

    [Fact]
    public async Task Revoke_CannotEndAnotherUsersSession()
    {
        var id = await sessions.StartAsync("u1", Chrome, null, null);

        Assert.False(await sessions.RevokeAsync("u2", id));

        Assert.True(await sessions.ValidateAsync(id, "u1"));
    }

    [Fact]
    public async Task RevokeAllExcept_KeepsOnlyTheCurrentSession()
    {
        var current = await sessions.StartAsync("u1", Chrome, null, null);
        var other = await sessions.StartAsync("u1", Chrome, null, null);
        var third = await sessions.StartAsync("u1", Chrome, null, null);
        var someoneElse = await sessions.StartAsync("u2", Chrome, null, null);

        Assert.Equal(2, await sessions.RevokeAllExceptAsync("u1", current));

        Assert.Equal(current, Assert.Single(await sessions.ListActiveAsync("u1")).Id);
        Assert.False(await sessions.ValidateAsync(other, "u1"));
        Assert.False(await sessions.ValidateAsync(third, "u1"));
        Assert.True(await sessions.ValidateAsync(someoneElse, "u2"));
    }

    [Fact]
    public async Task RevokeAll_EndsEverySessionOfTheUser()
    {
        await sessions.StartAsync("u1", Chrome, null, null);
        await sessions.StartAsync("u1", Chrome, null, null);

        Assert.Equal(2, await sessions.RevokeAllAsync("u1"));

        Assert.Empty(await sessions.ListActiveAsync("u1"));
    }

    [Fact]
    public async Task Validate_TouchesLastSeenAtMostOncePerMinute()
    {
        // Every check reaches the database, so only the throttle keeps the writes down.
        var uncached = sessions;
        var id = await uncached.StartAsync("u1", Chrome, null, null);
        var started = database.Time.GetUtcNow();

        database.Time.Advance(TimeSpan.FromSeconds(59));
        await uncached.ValidateAsync(id, "u1");
        Assert.Equal(started, Assert.Single(await uncached.ListActiveAsync("u1")).LastSeenAt);

        database.Time.Advance(TimeSpan.FromSeconds(1));
        await uncached.ValidateAsync(id, "u1");
        var touched = database.Time.GetUtcNow();
        Assert.Equal(touched, Assert.Single(await uncached.ListActiveAsync("u1")).LastSeenAt);

        database.Time.Advance(TimeSpan.FromSeconds(30));
        await uncached.ValidateAsync(id, "u1");
        Assert.Equal(touched, Assert.Single(await uncached.ListActiveAsync("u1")).LastSeenAt);
    }

    [Fact]
    public async Task Validate_RefusesASessionIdleLongerThanTheCookieLifetime()
    {
        var uncached = sessions;
        var id = await uncached.StartAsync("u1", Chrome, null, null);

        database.Time.Advance(UserSessions.IdleLifetime + TimeSpan.FromMinutes(1));

        Assert.False(await uncached.ValidateAsync(id, "u1"));
        Assert.Empty(await uncached.ListActiveAsync("u1"));
    }

    [Fact]
    public async Task Purge_DeletesOnlyRowsEndedOrIdleBeyondRetention()
    {
        var ended = await sessions.StartAsync("u1", Chrome, null, null);
        var idle = await sessions.StartAsync("u1", Chrome, null, null);
        await sessions.RevokeAsync("u1", ended);
        database.Time.Advance(UserSessions.Retention + TimeSpan.FromMinutes(1));
        var fresh = await sessions.StartAsync("u1", Chrome, null, null);
        var recentlyEnded = await sessions.StartAsync("u1", Chrome, null, null);
        await sessions.RevokeAsync("u1", recentlyEnded);

        Assert.Equal(2, await sessions.PurgeAsync());

        await using var db = await database.Factory.CreateDbContextAsync();
        var left = await db.UserSessions.Select(s => s.Id).OrderBy(s => s).ToListAsync();
        Assert.Equal(new[] { fresh, recentlyEnded }.Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(idle, left);
    }

    [Theory]
    [InlineData("198.51.100.23", "198.51.100.x")]
    [InlineData("::ffff:198.51.100.23", "198.51.100.x")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48")]
    [InlineData("not an address", null)]
    [InlineData(null, null)]
    public void Truncate_DropsTheHostPart(string? address, string? expected) =>
        Assert.Equal(expected, UserSessions.Truncate(address));
}
