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
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
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
