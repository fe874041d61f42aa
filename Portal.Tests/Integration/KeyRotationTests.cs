using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// Field-key rotation on both providers: data written under key 1, rotated, every encrypted value under key 2, every
/// look-up still working, key 1 retired; and a rotation killed part-way that finishes on the next run with every value
/// readable throughout.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private const string Email = "rotate.me@example.com";

    private PostgresDatabase? postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }

    [Fact]
    public Task Rotate_OnSqlite_MovesEveryValueUnderTheNewKey_AndRetiresTheOld() => RotateEverythingAsync(new TesseraFactory());

    [SkippableFact]
    public async Task Rotate_OnPostgreSql_MovesEveryValueUnderTheNewKey_AndRetiresTheOld()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null, PostgresDatabase.SkipReason);
        postgres = await PostgresDatabase.CreateAsync();
        await RotateEverythingAsync(new TesseraFactory().With("Database:Provider", "PostgreSql").With("Database:ConnectionString", postgres.ConnectionString));
    }

    [Fact]
    public Task Rotation_KilledPartWay_FinishesOnTheNextRun_AndEveryValueStaysReadable_OnSqlite() => KilledAndResumedAsync(new TesseraFactory());

    [SkippableFact]
    public async Task Rotation_KilledPartWay_FinishesOnTheNextRun_AndEveryValueStaysReadable_OnPostgreSql()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null, PostgresDatabase.SkipReason);
        postgres = await PostgresDatabase.CreateAsync();
        await KilledAndResumedAsync(new TesseraFactory().With("Database:Provider", "PostgreSql").With("Database:ConnectionString", postgres.ConnectionString));
    }

    [Fact]
    public async Task TheScheduledJob_RotatesOnlyWhenTheActiveKeyIsDue()
    {
        using var factory = new TesseraFactory().With("Keys:RotationDays", "90");
        await SeededAccount.CreateAsync(factory, Email);

        var result = await factory.Services.GetRequiredService<KeyRotation>().RunScheduledAsync();

        Assert.Null(result);
        Assert.Equal(1, Assert.Single((await factory.Services.GetRequiredService<KeyRotation>().StatusAsync()).Keys).Id);
    }

    private static async Task RotateEverythingAsync(TesseraFactory factory)
    {
        using (factory)
        {
            var (user, secret, client) = await SeededAccount.CreateAsync(factory, Email);
            var rotation = factory.Services.GetRequiredService<KeyRotation>();
            var before = await rotation.StatusAsync();
            Assert.Equal(before.Total, Assert.Single(before.Keys).Rows);
            Assert.True(before.Total >= 3, $"only {before.Total} encrypted values were seeded");

            var result = await factory.Services.GetRequiredService<KeyRotationJob>().RunHereAsync();

            Assert.Equal(2, result.ActiveKey);
            Assert.Equal(before.Total, result.Reencrypted);
            Assert.Equal([1], result.Retired);
            var after = await rotation.StatusAsync();
            Assert.Equal(0, after.Pending);
            Assert.Equal(after.Total, after.Keys.Single(k => k.Id == 2).Rows);
            Assert.NotNull(after.Keys.Single(k => k.Id == 1).RetiredAt);
            Assert.Equal(0, await ValuesNotUnderAsync(factory, 2));
            // Every install secret rotated with it; the stored number hash is made again under the phone key's version 2.
            Assert.All(result.Secrets!, s => Assert.Equal(2, s.Version));
            Assert.Equal(1, result.Secrets!.Single(s => s.Name == UserPhones.NumberSecretName).Remade);
            await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            {
                Assert.StartsWith("v2:", await db.UserPhones.Where(p => p.UserId == user.Id).Select(p => p.NumberHash).SingleAsync());
            }
            // What still needs each secret's version 1, asked of the database as the daily run asks it.
            var owners = factory.Services.GetServices<IVersionedSecret>().ToDictionary(o => o.Name);
            Assert.Equal(7, owners.Count);
            Assert.False(await owners[Tessera.Domain.Factors.Push.VapidKeys.SecretName].InUseAsync(1, CancellationToken.None), "no push device uses VAPID version 1");
            Assert.False(await owners[UserPhones.NumberSecretName].InUseAsync(1, CancellationToken.None), "a number hash is left under version 1");
            foreach (var owner in owners.Values)
            {
                await owner.InUseAsync(1, CancellationToken.None);
            }
            Assert.Empty(await factory.Services.GetRequiredService<SecretRotation>().TidyAsync());
            Assert.All(await factory.Services.GetRequiredService<SecretRotation>().StatusAsync(), s => Assert.Equal(2, s.Current));
            await AssertEverythingReadableAsync(factory, user.Id, secret);
            // The signed-in browser never noticed.
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
        }
    }

    private static async Task KilledAndResumedAsync(TesseraFactory factory)
    {
        using (factory)
        {
            var (user, secret, _) = await SeededAccount.CreateAsync(factory, Email);
            var rotation = factory.Services.GetRequiredService<KeyRotation>();
            using var kill = new CancellationTokenSource();

            // One value per batch, and the process "dies" after the first committed batch.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                rotation.RotateAsync(batchSize: 1, new KillAfterFirstBatch(kill), kill.Token));

            var halfway = await rotation.StatusAsync();
            Assert.Equal(2, halfway.Keys.Single(k => k.IsActive).Id);
            Assert.True(halfway.Pending > 0 && halfway.Pending < halfway.Total, $"{halfway.Pending} of {halfway.Total} pending");
            await AssertEverythingReadableAsync(factory, user.Id, secret);

            // The next run (the daily job, after the restart) finishes that rotation rather than starting another.
            var resumed = await rotation.RunScheduledAsync();

            Assert.NotNull(resumed);
            Assert.Equal(2, resumed.ActiveKey);
            Assert.Equal([1], resumed.Retired);
            Assert.Equal(0, await ValuesNotUnderAsync(factory, 2));
            Assert.Equal(2, (await rotation.StatusAsync()).Keys.Count);
            await AssertEverythingReadableAsync(factory, user.Id, secret);
        }
    }

    /// <summary>Every kind of encrypted value decrypts, and every keyed-hash look-up still finds its row.</summary>
    private static async Task AssertEverythingReadableAsync(TesseraFactory factory, string userId, byte[] secret)
    {
        // Phone sign-in looks the number up by its keyed hash; listing decrypts it.
        Assert.Contains(userId, await factory.Services.GetRequiredService<UserPhones>().FindUsersAsync(SeededAccount.Number));
        Assert.Equal(SeededAccount.Number, Assert.Single(await factory.Services.GetRequiredService<UserPhones>().ListWithNumbersAsync(userId)).Number);
        // The authenticator's secret decrypts to the one enrolled (a code computed from it is accepted or seen as used).
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(secret, (await db.TotpAuthenticators.AsNoTracking().SingleAsync(a => a.UserId == userId)).Secret);
        // Message recipients: the texted code went to the number, and every recipient decrypts.
        Assert.Contains(await db.OutboundMessages.AsNoTracking().ToListAsync(), m => m.Recipient == SeededAccount.Number);
    }

    /// <summary>How many stored encrypted values, in any table, are not sealed under the given key.</summary>
    private static async Task<long> ValuesNotUnderAsync(TesseraFactory factory, int keyId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        long count = 0;
        foreach (var column in KeyRotation.EncryptedColumns(db))
        {
            var sql = $"SELECT COUNT(*) AS \"Value\" FROM {column.Table} WHERE {column.Column} IS NOT NULL AND {column.Column} NOT LIKE {{0}}";
            count += await db.Database.SqlQueryRaw<long>(sql, $"v1:{keyId}:%").SingleAsync();
        }
        return count;
    }

    private sealed class KillAfterFirstBatch(CancellationTokenSource kill) : IProgress<long>
    {
        public void Report(long value) => kill.Cancel();
    }
}
