using Npgsql;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL database on the server named by TESSERA_TEST_POSTGRES (.ci/run starts one on loopback).
/// Without that variable the PostgreSQL tests are reported as skipped, with this reason.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "TESSERA_TEST_POSTGRES";
    public const string SkipReason = "TESSERA_TEST_POSTGRES is not set, so the PostgreSQL tests were skipped (.ci/run sets it).";

    private readonly string adminConnectionString;
    private readonly string name = $"tessera_test_{Guid.NewGuid():N}";

    private PostgresDatabase(string adminConnectionString)
    {
        this.adminConnectionString = adminConnectionString;
        // A bounded pool per database: two test classes run at once (one per core), and a test that races fifty requests
        // must queue for connections rather than push the server past its max_connections (100 on a fresh Debian
        // cluster), which fails whichever test asks next with 53300 "too many clients".
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 30 }.ConnectionString;
    }

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var database = new PostgresDatabase(ServerConnectionString ?? throw new InvalidOperationException(SkipReason));
        await using var connection = new NpgsqlConnection(database.adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The PostgreSQL test classes that race fifty requests at once: never two at the same time, so together they stay far
/// below the server's max_connections (one at a time also keeps each race a race of its own).
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresRaces
{
    public const string Name = "PostgreSQL races";
}
