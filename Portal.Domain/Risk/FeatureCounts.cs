namespace Tessera.Domain.Risk;

/// <summary>
/// How often each feature key was seen, and under each parent how many distinct children: a user's history, or the
/// whole population's. The live engine fills one from the database for the keys of one attempt; the evaluation
/// keeps one in memory and adds to it as it replays.
/// </summary>
public sealed class FeatureCounts
{
    private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> distinct = new(StringComparer.Ordinal);

    /// <summary>Sign-ins counted.</summary>
    public long Total { get; private set; }

    public long CountOf(string? key) => key is not null && counts.TryGetValue(key, out var n) ? n : 0;

    /// <summary>How many distinct values were seen beside this level's (under the same parent).</summary>
    public int DistinctBeside(FeatureLevel level) => distinct.TryGetValue(ParentOf(level), out var n) ? n : 0;

    /// <summary>Counts a parent level: the total for a hierarchy's root.</summary>
    public long CountOfParent(FeatureLevel level) => level.ParentKey is null ? Total : CountOf(level.ParentKey);

    /// <summary>Counts one sign-in: each known level once, each first-seen value under its parent.</summary>
    public void Add(SignInFeatures features) => Add(features.Levels());

    public void Add(IEnumerable<FeatureLevel> levels)
    {
        Total++;
        foreach (var level in levels)
        {
            var key = level.Key;
            if (!counts.TryGetValue(key, out var n))
            {
                distinct[ParentOf(level)] = DistinctBeside(level) + 1;
            }
            counts[key] = n + 1;
        }
    }

    /// <summary>Counts read from storage (the live engine's snapshot of the population for one attempt's keys).</summary>
    public static FeatureCounts Of(long total, IEnumerable<KeyValuePair<string, long>> keyCounts)
    {
        var result = new FeatureCounts { Total = total };
        foreach (var (key, count) in keyCounts)
        {
            result.counts[key] = count;
        }
        return result;
    }

    // A hierarchy's root levels share their family's prefix ("p:") as parent.
    private static string ParentOf(FeatureLevel level) => level.ParentKey ?? level.Family[..1] + ":";
}

/// <summary>The last sign-in a user's history holds, for impossible travel.</summary>
public sealed record LastSignIn(DateTimeOffset At, GeoPoint? Location, string? NetworkKey, long? Asn, string? Country, string? City);

/// <summary>A user's bounded history: the counts of their past successful sign-ins, and the latest one.</summary>
public sealed class UserHistory
{
    public FeatureCounts Counts { get; } = new();

    public LastSignIn? Last { get; private set; }

    public long Count => Counts.Total;

    public static UserHistory Of(IEnumerable<SignInFeatures> signIns)
    {
        var history = new UserHistory();
        foreach (var signIn in signIns.OrderBy(s => s.At))
        {
            history.Add(signIn);
        }
        return history;
    }

    public void Add(SignInFeatures features)
    {
        Counts.Add(features);
        if (Last is null || features.At >= Last.At)
        {
            Last = new LastSignIn(features.At, features.Location, features.NetworkKey, features.Asn, features.Country, features.City);
        }
    }
}
