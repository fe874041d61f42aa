using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Domain.Persistence;

/// <summary>
/// busy_timeout is per connection (unlike journal_mode, it is not stored in the file). With it, SQLite waits for the
/// write lock itself, retrying within milliseconds; without it, Microsoft.Data.Sqlite sees SQLITE_BUSY and sleeps
/// 150 ms before retrying, which under concurrent writers (API checks at 64 connections) cut throughput from about
/// 750 to 90 requests per second (docs/performance.md, "API checks").
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    // secure_delete: deleted rows are overwritten with zeros, so an erased person's address does not linger in free pages.
    public const string Sql = "PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
