using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Benchmarks.Audit;

/// <summary>While <see cref="Capturing"/>, asks SQLite for the plan of every query the real search sends (EXPLAIN QUERY PLAN).</summary>
public sealed class PlanCapture : DbCommandInterceptor
{
    public bool Capturing { get; set; }

    public List<(string Sql, List<string> Plan)> Plans { get; } = [];

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Explain(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Explain(command);
        return ValueTask.FromResult(result);
    }

    private void Explain(DbCommand command)
    {
        if (!Capturing || command is not SqliteCommand sqlite)
        {
            return;
        }
        using var explain = sqlite.Connection!.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sqlite.CommandText;
        foreach (SqliteParameter p in sqlite.Parameters)
        {
            explain.Parameters.AddWithValue(p.ParameterName, p.Value);
        }
        var plan = new List<string>();
        using (var reader = explain.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }
        Plans.Add((sqlite.CommandText, plan));
    }
}
