namespace Tessera.Domain.Audit;

/// <summary>
/// Refusals (a wrong password, a locked-out attempt, a wrong code) recorded without letting a burst flood the log:
/// the first refusal of a kind for one account and one network in a minute is written at once, and the repeats in
/// that minute are written as one more event with their count when the minute is over (<see cref="FlushAsync"/>).
/// No refusal goes uncounted, and 200 guesses in a minute are two rows, not two hundred. The pending counts live in
/// this node's memory until flushed (within seconds of the minute's end); each node writes its own.
/// </summary>
public sealed class AuditRefusals(AuditLog log, TimeProvider time)
{
    private readonly Dictionary<Key, Bucket> buckets = [];
    private readonly Lock gate = new();

    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var minute = MinuteOf(time.GetUtcNow());
        var key = new Key(entry.Type, entry.SubjectId, Network(entry.IpAddress), entry.Detail);
        Bucket? closed = null;
        lock (gate)
        {
            if (buckets.TryGetValue(key, out var bucket) && bucket.Minute == minute)
            {
                bucket.Repeats++;
                return;
            }
            if (bucket is not null && bucket.Repeats > 0)
            {
                closed = bucket;
            }
            buckets[key] = new Bucket(minute, entry);
        }
        if (closed is not null)
        {
            await WriteRepeatsAsync(closed, cancellationToken);
        }
        await log.RecordAsync(entry, cancellationToken);
    }

    /// <summary>Writes the repeats of every minute that is over (all of them when <paramref name="all"/>, at shutdown).</summary>
    public async Task FlushAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        var minute = MinuteOf(time.GetUtcNow());
        List<Bucket> due;
        lock (gate)
        {
            due = [];
            foreach (var (key, bucket) in buckets.Where(b => all || b.Value.Minute < minute).ToList())
            {
                buckets.Remove(key);
                if (bucket.Repeats > 0)
                {
                    due.Add(bucket);
                }
            }
        }
        foreach (var bucket in due)
        {
            await WriteRepeatsAsync(bucket, cancellationToken);
        }
    }

    private Task WriteRepeatsAsync(Bucket bucket, CancellationToken cancellationToken)
    {
        var first = bucket.First;
        var start = DateTimeOffset.FromUnixTimeSeconds(bucket.Minute * 60).UtcDateTime;
        return log.RecordAsync(first with
        {
            Detail = $"{first.Detail}; repeated {bucket.Repeats} more time{(bucket.Repeats == 1 ? "" : "s")} in the minute from {start:yyyy-MM-dd HH:mm} UTC",
        }, cancellationToken);
    }

    private static long MinuteOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 60;

    /// <summary>One network: the same address, whatever its spelling; a missing one is its own network.</summary>
    private static string Network(string? ip) =>
        System.Net.IPAddress.TryParse(ip?.Trim(), out var address)
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : ip?.Trim() ?? "";

    private readonly record struct Key(string Type, string? SubjectId, string Network, string? Detail);

    private sealed class Bucket(long minute, AuditEntry first)
    {
        public long Minute { get; } = minute;

        public AuditEntry First { get; } = first;

        public int Repeats { get; set; }
    }
}
