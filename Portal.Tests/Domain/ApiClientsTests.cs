using Microsoft.EntityFrameworkCore;
using Tessera.Domain.ApiClients;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class ApiClientsTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Authenticate_TheKeyShownAtCreation_FindsTheClient_AndAnAlteredKeyDoesNot()
    {
        var clients = NewNode();
        var created = await clients.CreateAsync("Shop", "admin");
        var altered = created.Key[..^1] + (created.Key[^1] == 'A' ? 'B' : 'A');

        Assert.Equal(new AuthenticatedClient(created.Id, "Shop"), await clients.AuthenticateAsync(created.Key));
        Assert.Null(await clients.AuthenticateAsync(altered));
        Assert.Null(await clients.AuthenticateAsync(created.Key + "x"));
        Assert.Null(await clients.AuthenticateAsync(""));
    }

    [Fact]
    public async Task Revoke_IsImmediateOnTheSameNode_AndWithinTheCacheLifetimeOnAnother()
    {
        var nodeA = NewNode();
        var nodeB = NewNode();
        var created = await nodeA.CreateAsync("Shop", "admin");
        Assert.NotNull(await nodeA.AuthenticateAsync(created.Key));
        Assert.NotNull(await nodeB.AuthenticateAsync(created.Key));

        Assert.True(await nodeA.RevokeAsync(created.Id, "admin"));
        var onA = await nodeA.AuthenticateAsync(created.Key);
        var onBCached = await nodeB.AuthenticateAsync(created.Key);
        database.Time.Advance(ApiClients.CacheLifetime + TimeSpan.FromMilliseconds(1));
        var onBLater = await nodeB.AuthenticateAsync(created.Key);

        Assert.Null(onA);
        Assert.NotNull(onBCached);
        Assert.Null(onBLater);
        Assert.False(await nodeA.RevokeAsync(created.Id, "admin"));
    }

    [Fact]
    public async Task Create_StoresOnlyTheHashOfTheKey()
    {
        var created = await NewNode().CreateAsync("Shop", null);

        await using var db = await database.Factory.CreateDbContextAsync();
        var row = await db.ApiClients.SingleAsync();
        Assert.Equal(ApiKeys.Hash(created.Key), row.KeyHash);
        Assert.StartsWith(row.KeyPrefix, created.Key);
        Assert.True(created.Key.Length > row.KeyPrefix.Length + 40);
    }

    [Fact]
    public async Task Authenticate_RecordsLastUse_AtMostOnceAMinute()
    {
        var clients = NewNode();
        var created = await clients.CreateAsync("Shop", null);
        var first = database.Time.GetUtcNow();

        await clients.AuthenticateAsync(created.Key);
        database.Time.Advance(TimeSpan.FromSeconds(30));
        await clients.AuthenticateAsync(created.Key);
        var afterThirtySeconds = (await clients.ListAsync()).Single().LastUsedAt;
        database.Time.Advance(TimeSpan.FromSeconds(31));
        await clients.AuthenticateAsync(created.Key);
        var afterAMinute = (await clients.ListAsync()).Single().LastUsedAt;

        Assert.Equal(first.ToUnixTimeMilliseconds(), afterThirtySeconds?.ToUnixTimeMilliseconds());
        Assert.Equal(database.Time.GetUtcNow().ToUnixTimeMilliseconds(), afterAMinute?.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\u0001name")]
    public async Task Create_WithAnUnusableName_IsRefused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => NewNode().CreateAsync(name, null));
    }

    private ApiClients NewNode() => new(database.Factory, database.Time, database.AuditLog);
}
