using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class SecretStoreTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task AFailedFirstRead_IsNotRemembered_TheNextCallGetsTheSecret()
    {
        var stored = await database.Secrets.GetOrCreateAsync("test.secret", 32);
        var store = new SecretStore(new FailingOnce(database.Factory), database.Protection, database.Time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetOrCreateAsync("test.secret", 32));
        var again = await store.GetOrCreateAsync("test.secret", 32);

        Assert.Equal(stored, again);
    }

    [Fact]
    public async Task Initialize_LoadsEverySecret_SoLaterReadsNeedNoDatabase()
    {
        var stored = await database.Secrets.GetOrCreateAsync("test.secret", 32);
        var factory = new FailingOnce(database.Factory, failAfterFirst: true);
        var store = new SecretStore(factory, database.Protection, database.Time);

        await store.InitializeAsync();

        Assert.Equal(stored, await store.GetOrCreateAsync("test.secret", 32));
    }

    /// <summary>A database that is unreachable once (or, with <paramref name="failAfterFirst"/>, after its first use).</summary>
    private sealed class FailingOnce(IDbContextFactory<PortalDbContext> inner, bool failAfterFirst = false) : IDbContextFactory<PortalDbContext>
    {
        private int calls;

        public PortalDbContext CreateDbContext() => Next() ? inner.CreateDbContext() : throw new InvalidOperationException("database unreachable");

        public Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            Next() ? inner.CreateDbContextAsync(cancellationToken) : throw new InvalidOperationException("database unreachable");

        private bool Next()
        {
            var call = Interlocked.Increment(ref calls);
            return failAfterFirst ? call == 1 : call > 1;
        }
    }
}
