namespace Tessera.Domain.Persistence;

/// <summary>Counts per time bucket for a few named series, ready for a chart and for an accessible table.</summary>
public sealed record CountSeries(IReadOnlyList<DateTimeOffset> BucketStarts, IReadOnlyList<string> Labels, IReadOnlyList<NamedCounts> Series);

public sealed record NamedCounts(string Name, IReadOnlyList<long> Counts)
{
    public long Total => Counts.Sum();
}

/// <summary>One row of a grouped count: the bucket key, what was counted and how many.</summary>
public sealed class BucketCount
{
    public string Bucket { get; set; } = "";

    public string Key { get; set; } = "";

    public long Count { get; set; }
}
