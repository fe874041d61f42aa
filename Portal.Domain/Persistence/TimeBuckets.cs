using System.Globalization;

namespace Tessera.Domain.Persistence;

public enum StatisticsPeriod
{
    /// <summary>The last 24 hours, one bucket per hour (UTC).</summary>
    Last24Hours,

    /// <summary>The last 7 days, one bucket per day (UTC).</summary>
    Last7Days,

    /// <summary>The last 30 days, one bucket per day (UTC).</summary>
    Last30Days,
}

/// <summary>
/// Time buckets for dashboard counts, grouped in the database (raw SQL: EF Core cannot group by the hour of an
/// instant). The key is the UTC hour or day of the stored instant (<see cref="Instants.BucketSql"/>); the range starts
/// at <see cref="From"/>, so the index on the column serves it.
/// </summary>
public sealed class TimeBuckets
{
    private TimeBuckets(StatisticsPeriod period, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        Hourly = period == StatisticsPeriod.Last24Hours;
        var count = period switch
        {
            StatisticsPeriod.Last24Hours => 24,
            StatisticsPeriod.Last7Days => 7,
            _ => 30,
        };
        var step = Hourly ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var current = Hourly
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        // The current (partial) hour or day is the last bucket.
        Starts = Enumerable.Range(0, count).Select(i => current - (count - 1 - i) * step).ToArray();
    }

    public bool Hourly { get; }

    /// <summary>The start of each bucket, oldest first; the first one is where counting starts.</summary>
    public IReadOnlyList<DateTimeOffset> Starts { get; }

    public DateTimeOffset From => Starts[0];

    public static TimeBuckets For(StatisticsPeriod period, DateTimeOffset now) => new(period, now);

    /// <summary>SQL for the bucket key of <paramref name="column"/> (already quoted), as text this class can parse back.</summary>
    public string KeySql(PortalDbContext db, string column) => Instants.BucketSql(db.Database, column, Hourly);

    /// <summary>Where counting starts, as the provider stores an instant (a parameter of the grouping SQL).</summary>
    public object FromParameter(PortalDbContext db) => Instants.Parameter(db.Database, From);

    /// <summary>Quotes an identifier the provider's way.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary>The index of the bucket a key from <see cref="KeySql"/> names, or -1 if it is outside the period.</summary>
    public int IndexOf(string key)
    {
        var format = Hourly ? "yyyy-MM-dd HH" : "yyyy-MM-dd";
        if (!DateTime.TryParseExact(key, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            return -1;
        }
        var index = Array.IndexOf((DateTimeOffset[])Starts, new DateTimeOffset(start, TimeSpan.Zero));
        return index;
    }

    /// <summary>A short label per bucket for chart axes and tables.</summary>
    public IReadOnlyList<string> Labels() =>
        Starts.Select(s => s.ToString(Hourly ? "HH:00" : "MMM d", CultureInfo.InvariantCulture)).ToArray();
}
