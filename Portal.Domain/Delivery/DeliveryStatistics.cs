using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Delivery;

/// <summary>
/// Read-only counts of queued messages by status per hour or day, for the admin dashboard: grouped by the database
/// over the indexed (Status, CreatedAt), never by loading messages.
/// </summary>
public sealed class DeliveryStatistics(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public async Task<CountSeries> ByStatusAsync(StatisticsPeriod period, CancellationToken cancellationToken = default)
    {
        var buckets = TimeBuckets.For(period, time.GetUtcNow());
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = db.Model.FindEntityType(typeof(OutboundMessage))!;
        var table = TimeBuckets.Quote(entity.GetTableName()!);
        var createdAt = TimeBuckets.Quote(nameof(OutboundMessage.CreatedAt));
        var status = TimeBuckets.Quote(nameof(OutboundMessage.Status));
        var key = buckets.KeySql(db, createdAt);
        // Every status listed: lets the database seek the (Status, CreatedAt) index once per status instead of scanning it.
        var statuses = Enum.GetNames<MessageStatus>();
        var statusParameters = string.Join(", ", statuses.Select((_, i) => $"{{{i + 1}}}"));
        var sql = $"SELECT {key} AS \"Bucket\", {status} AS \"Key\", COUNT(*) AS \"Count\" " +
                  $"FROM {table} WHERE {status} IN ({statusParameters}) AND {createdAt} >= {{0}} GROUP BY {key}, {status}";
        object[] parameters = [buckets.FromParameter(db), .. statuses];
        var rows = await db.Database.SqlQueryRaw<BucketCount>(sql, parameters).ToListAsync(cancellationToken);

        // Every status has a series: a zero line says "none failed".
        var names = statuses;
        var counts = names.ToDictionary(n => n, _ => new long[buckets.Starts.Count]);
        foreach (var row in rows)
        {
            var index = buckets.IndexOf(row.Bucket);
            if (index >= 0)
            {
                counts[row.Key][index] += row.Count;
            }
        }
        return new CountSeries(buckets.Starts, buckets.Labels(), names.Select(n => new NamedCounts(n, counts[n])).ToArray());
    }
}
