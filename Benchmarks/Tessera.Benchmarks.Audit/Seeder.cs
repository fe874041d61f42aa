using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Tessera.Domain.Audit;

namespace Tessera.Benchmarks.Audit;

/// <summary>
/// A realistic audit log: a mix of event types weighted like a busy sign-in service, users with a skewed share of
/// activity, a pool of client addresses, evenly spread over <see cref="Days"/> days up to now, correctly hash-chained.
/// </summary>
public sealed class Seeder(int count, int users, int addresses, DateTimeOffset end)
{
    public const int Days = 90;

    private static readonly (string Type, double Weight, double FailureShare)[] Mix =
    [
        (AuditEventTypes.SignIn, 0.40, 0.20),
        (AuditEventTypes.PasswordVerified, 0.10, 0.0),
        (AuditEventTypes.SignOut, 0.12, 0.0),
        (AuditEventTypes.AuthenticatorVerified, 0.10, 0.08),
        (AuditEventTypes.ChallengeCreated, 0.09, 0.02),
        (AuditEventTypes.ChallengeChecked, 0.09, 0.15),
        (AuditEventTypes.PasskeyVerified, 0.05, 0.03),
        (AuditEventTypes.LockedOut, 0.01, 1.0),
        (AuditEventTypes.RecoveryCodeUsed, 0.01, 0.3),
        (AuditEventTypes.Registered, 0.02, 0.0),
        (AuditEventTypes.PasswordResetRequested, 0.01, 0.0),
    ];

    private readonly Random random = new(20261125);

    public string[] UserIds { get; } = Enumerable.Range(0, users).Select(i => new Guid(i, 0, 0, new byte[8]).ToString()).ToArray();

    public string[] IpAddresses { get; } = Enumerable.Range(0, addresses).Select(i => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}").ToArray();

    public DateTimeOffset Start => end.AddDays(-Days);

    public static IReadOnlyList<string> Types => Mix.Select(m => m.Type).ToArray();

    public IEnumerable<AuditEvent> Events(string[] pseudonyms)
    {
        var step = TimeSpan.FromDays(Days).TotalMilliseconds / count;
        var previous = AuditChain.GenesisHash;
        for (var i = 1L; i <= count; i++)
        {
            var (type, failure) = PickType();
            // Skewed: a fifth of the users make most of the events, as real users do.
            var user = UserIds[(int)(Math.Pow(random.NextDouble(), 3) * UserIds.Length)];
            var e = new AuditEvent
            {
                Sequence = i,
                OccurredAt = Start.AddMilliseconds(Math.Floor(i * step)),
                Type = type,
                Outcome = random.NextDouble() < failure ? AuditOutcome.Failure : AuditOutcome.Success,
                ActorId = user,
                SubjectId = user,
                IpPseudonym = pseudonyms[random.Next(pseudonyms.Length)],
                UserAgent = "Firefox 145 on Linux",
                Detail = random.Next(4) == 0 ? "with authenticator app" : null,
                PreviousHash = previous,
            };
            e.Hash = AuditChain.ComputeHash(e);
            previous = e.Hash;
            yield return e;
        }
    }

    public static async Task SqliteAsync(string connectionString, IEnumerable<AuditEvent> events)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await Exec(connection, "PRAGMA synchronous = OFF");
        var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO AuditEvents (Sequence, OccurredAt, Type, Outcome, ActorId, SubjectId, IpPseudonym, UserAgent, Detail, PreviousHash, Hash) " +
            "VALUES ($s, $o, $t, $r, $a, $u, $i, $g, $d, $p, $h)";
        var names = new[] { "$s", "$o", "$t", "$r", "$a", "$u", "$i", "$g", "$d", "$p", "$h" };
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        DbTransaction? transaction = null;
        var n = 0;
        foreach (var e in events)
        {
            if (n++ % 50_000 == 0)
            {
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                }
                transaction = await connection.BeginTransactionAsync();
                command.Transaction = (SqliteTransaction)transaction;
            }
            object?[] values = [e.Sequence, e.OccurredAt, e.Type, e.Outcome.ToString(), e.ActorId, e.SubjectId, e.IpPseudonym, e.UserAgent, e.Detail, e.PreviousHash, e.Hash];
            for (var k = 0; k < values.Length; k++)
            {
                command.Parameters[k].Value = values[k] ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync();
        }
        await transaction!.CommitAsync();
        await Exec(connection, "ANALYZE");
    }

    public static async Task PostgresAsync(string connectionString, IEnumerable<AuditEvent> events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY \"AuditEvents\" (\"Sequence\", \"OccurredAt\", \"Type\", \"Outcome\", \"ActorId\", \"SubjectId\", \"IpPseudonym\", \"UserAgent\", \"Detail\", \"PreviousHash\", \"Hash\") FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var e in events)
            {
                await import.StartRowAsync();
                await import.WriteAsync(e.Sequence, NpgsqlDbType.Bigint);
                await import.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(e.Type, NpgsqlDbType.Varchar);
                await import.WriteAsync(e.Outcome.ToString(), NpgsqlDbType.Varchar);
                await WriteNullable(import, e.ActorId);
                await WriteNullable(import, e.SubjectId);
                await WriteNullable(import, e.IpPseudonym);
                await WriteNullable(import, e.UserAgent);
                await WriteNullable(import, e.Detail);
                await import.WriteAsync(e.PreviousHash, NpgsqlDbType.Varchar);
                await import.WriteAsync(e.Hash, NpgsqlDbType.Varchar);
            }
            await import.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE \"AuditEvents\"", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static Task WriteNullable(NpgsqlBinaryImporter import, string? value) =>
        value is null ? import.WriteNullAsync() : import.WriteAsync(value, NpgsqlDbType.Varchar);

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private (string Type, double Failure) PickType()
    {
        var roll = random.NextDouble();
        foreach (var (type, weight, failure) in Mix)
        {
            if ((roll -= weight) < 0)
            {
                return (type, failure);
            }
        }
        return (Mix[0].Type, Mix[0].FailureShare);
    }

    public static Stopwatch Time() => Stopwatch.StartNew();
}
