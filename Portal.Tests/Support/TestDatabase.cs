using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A migrated SQLite file in a fresh temporary folder, with the audit services built over it the way the app builds
/// them (real EF Core, real Data Protection, a fake clock). Dispose it to delete the folder.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string connectionString;

    private TestDatabase(string directory, string connectionString, IDbContextFactory<PortalDbContext> factory, FakeTimeProvider time)
    {
        this.connectionString = connectionString;
        Directory = directory;
        Factory = factory;
        Time = time;
        Secrets = new SecretStore(factory, new EphemeralDataProtectionProvider(), time);
        Pseudonymizer = new IpPseudonymizer(Secrets);
        AuditLog = new AuditLog(factory, time, Pseudonymizer);
    }

    public string Directory { get; }

    public IDbContextFactory<PortalDbContext> Factory { get; }

    public FakeTimeProvider Time { get; }

    public SecretStore Secrets { get; }

    public IpPseudonymizer Pseudonymizer { get; }

    public AuditLog AuditLog { get; }

    public static async Task<TestDatabase> CreateAsync(FakeTimeProvider? time = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tessera-unit-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var connectionString = ProviderSetup.SqliteConnectionString(directory);
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(DatabaseProvider.Sqlite, connectionString)
            .Options;
        await using (var db = new PortalDbContext(options))
        {
            await ProviderSetup.MigrateAsync(db);
        }
        var clock = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        return new TestDatabase(directory, connectionString, new PooledDbContextFactory<PortalDbContext>(options), clock);
    }

    /// <summary>Runs SQL straight against the file, behind the application's back (tampering, deleting rows).</summary>
    public async Task<int> ExecuteSqlAsync(string sql, params object[] parameters)
    {
        await using var db = await Factory.CreateDbContextAsync();
        return await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        // Only this database's pool: other tests run in parallel on their own files.
        using (var connection = new SqliteConnection(connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp folder is cleaned up by the OS.
        }
        await Task.CompletedTask;
    }
}
