using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tessera.Domain.Persistence;

/// <summary>
/// The one representation of a stored instant: a <see cref="DateTimeOffset"/> in UTC, to the microsecond. PostgreSQL
/// keeps it as <c>timestamptz</c>; SQLite, which cannot compare or sort DateTimeOffset text in SQL, as an integer
/// count of microseconds since the Unix epoch. Both compare and sort in SQL, with the same precision, so a value read
/// back equals what the other provider would give.
/// </summary>
public static class Instants
{
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Microseconds since the Unix epoch, as SQLite stores the instant (truncated, as PostgreSQL truncates).</summary>
    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - EpochTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>The instant as either provider gives it back: UTC, whole microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant) => FromMicroseconds(ToMicroseconds(instant));

    public static DateTimeOffset FromMicroseconds(long microseconds) =>
        new(EpochTicks + microseconds * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    /// <summary>The instant as this provider stores it, for the few raw SQL statements (grouping, upserts).</summary>
    public static object Parameter(DatabaseFacade database, DateTimeOffset instant) =>
        database.IsSqlite() ? ToMicroseconds(instant) : instant.ToUniversalTime();

    /// <summary>SQL for the UTC hour ("yyyy-MM-dd HH") or day ("yyyy-MM-dd") of <paramref name="column"/>, as text.</summary>
    public static string BucketSql(DatabaseFacade database, string column, bool hourly) => database.IsNpgsql()
        ? $"to_char({column} AT TIME ZONE 'UTC', '{(hourly ? "YYYY-MM-DD HH24" : "YYYY-MM-DD")}')"
        : $"strftime('{(hourly ? "%Y-%m-%d %H" : "%Y-%m-%d")}', {column} / 1000000, 'unixepoch')";

    /// <summary>Applies the SQLite representation to every DateTimeOffset property of the model.</summary>
    internal static void UseSqliteRepresentation(ModelConfigurationBuilder builder)
    {
        builder.Properties<DateTimeOffset>().HaveConversion<MicrosecondsConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<MicrosecondsConverter>();
    }

    private sealed class MicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(
        instant => ToMicroseconds(instant), microseconds => FromMicroseconds(microseconds));
}
