using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// The migration to one instant representation carries existing rows over, on each provider: text instants and Unix
/// milliseconds written by the previous schema read back as the same instants, and compare and sort in SQL.
/// </summary>
public sealed class InstantMigrationTests
{
    private const string Previous = "OtpMessageServiceAndAdminConsole";

    private static readonly DateTimeOffset Created = new(2026, 11, 30, 8, 15, 42, TimeSpan.Zero);

    [Fact]
    public async Task Sqlite_TextInstantsAndMilliseconds_AreCarriedOverExactly()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tessera-unit-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connection = ProviderSetup.SqliteConnectionString(directory);
        try
        {
            await using (var db = Context(DatabaseProvider.Sqlite, connection))
            {
                await MigrateToAsync(db, Previous);
                // As EF Core wrote them before: ISO text with the offset (one with a fraction, one with another
                // offset, the admin lock's largest date), and Unix milliseconds.
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO AspNetUsers (Id, CreatedAt, EmailConfirmed, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount, LockoutEnd)
                    VALUES ('early', '2026-11-30 08:15:42.1234567+00:00', 0, 0, 0, 1, 0, '9999-12-31 23:59:59.9999999+00:00'),
                           ('late', '2026-11-30 10:15:42+01:00', 0, 0, 0, 1, 0, NULL);
                    INSERT INTO UserSessions (Id, UserId, CreatedAt, LastSeenAt, RevokedAt)
                    VALUES ('s1', 'early', '2026-11-30 08:15:42+00:00', 1764490542123, NULL);
                    """);
                await db.Database.MigrateAsync();
            }

            await using var migrated = Context(DatabaseProvider.Sqlite, connection);
            var users = await migrated.Users.AsNoTracking().OrderBy(u => u.CreatedAt).ToListAsync();
            Assert.Equal(["early", "late"], users.Select(u => u.Id));
            Assert.Equal(Created.AddTicks(1234560), users[0].CreatedAt);
            Assert.Equal(Created.AddHours(1), users[1].CreatedAt);
            Assert.Equal(Instants.Truncate(DateTimeOffset.MaxValue), users[0].LockoutEnd);
            Assert.Null(users[1].LockoutEnd);
            var session = await migrated.UserSessions.AsNoTracking().SingleAsync();
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764490542123), session.LastSeenAt);
            Assert.Equal(Created, session.CreatedAt);
            Assert.Equal(1, await migrated.Users.CountAsync(u => u.CreatedAt > Created.AddMinutes(30)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task PostgreSql_Milliseconds_BecomeTimestamps()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null, PostgresDatabase.SkipReason);
        await using var database = await PostgresDatabase.CreateAsync();
        await using (var db = Context(DatabaseProvider.PostgreSql, database.ConnectionString))
        {
            await MigrateToAsync(db, Previous);
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "UserSessions" ("Id", "UserId", "CreatedAt", "LastSeenAt", "RevokedAt")
                VALUES ('s1', 'u1', '2026-11-30 08:15:42+00', 1764490542123, 1764490600000);
                """);
            await db.Database.MigrateAsync();
        }

        await using var migrated = Context(DatabaseProvider.PostgreSql, database.ConnectionString);
        var session = await migrated.UserSessions.AsNoTracking().SingleAsync();
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764490542123), session.LastSeenAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764490600000), session.RevokedAt);
        Assert.Equal(1, await migrated.UserSessions.CountAsync(s => s.RevokedAt > s.LastSeenAt));
    }

    private static PortalDbContext Context(DatabaseProvider provider, string connectionString) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseTesseraProvider(provider, connectionString).Options, DesignTimeFieldEncryptor.Instance);

    private static Task MigrateToAsync(PortalDbContext db, string migration)
    {
        var id = db.Database.GetMigrations().Single(m => m.EndsWith("_" + migration, StringComparison.Ordinal));
        return db.GetService<IMigrator>().MigrateAsync(id);
    }
}
