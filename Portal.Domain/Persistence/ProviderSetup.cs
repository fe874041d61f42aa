using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Persistence;

/// <summary>One model, two providers: each provider keeps its migrations in its own assembly under Migrations/.</summary>
public static class ProviderSetup
{
    public const string SqliteMigrationsAssembly = "Tessera.Migrations.Sqlite";
    public const string PostgreSqlMigrationsAssembly = "Tessera.Migrations.PostgreSql";

    public static string SqliteConnectionString(string dataDirectory, string fileName = "tessera.db") =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, fileName),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

    public static TBuilder UseTesseraProvider<TBuilder>(this TBuilder builder, DatabaseProvider provider, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrationsAssembly));
        }
        else
        {
            builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
            builder.AddInterceptors(new SqlitePragmas());
        }
        // The model holds the encryptor of its context (see FieldEncryptionModelCacheKeyFactory).
        builder.ReplaceService<IModelCacheKeyFactory, FieldEncryptionModelCacheKeyFactory>();
        return builder;
    }

    /// <summary>Applies pending migrations; SQLite is switched to WAL so readers never block the writer.</summary>
    public static async Task MigrateAsync(PortalDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // journal_mode is stored in the database file: set once, it holds for every later connection.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
