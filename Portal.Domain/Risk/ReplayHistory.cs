namespace Tessera.Domain.Risk;

/// <summary>
/// One user's history in a replay, bounded as the live engine bounds it (<see cref="RiskOptions.MaxHistoryPerUser"/>
/// newest sign-ins within <see cref="RiskOptions.HistoryRetention"/>). <see cref="UserHistory"/> cannot forget, so
/// forgetting rebuilds it from the window; to keep that linear over a long replay, sign-ins due to be forgotten are
/// dropped in batches of at least an eighth of the window. So less than an eighth of what a long history holds may be
/// overdue (a history of up to 8 sign-ins is always exact), each sign-in costs a bounded amount of rebuilding, and
/// memory per user stays bounded.
/// </summary>
internal sealed class ReplayHistory(TimeSpan retention, int max)
{
    private const int StaleShare = 8;

    private readonly Queue<(DateTimeOffset At, IReadOnlyList<FeatureLevel> Levels)> window = new();
    private SignInFeatures? newest;

    public UserHistory History { get; private set; } = new();

    public int Count => window.Count;

    public DateTimeOffset? NewestAt => newest?.At;

    /// <summary>The history an attempt at <paramref name="at"/> is scored against.</summary>
    public UserHistory At(DateTimeOffset at)
    {
        var cutoff = at - retention;
        var due = Math.Max(0, window.Count - max);
        var expired = 0;
        foreach (var (signedInAt, _) in window)
        {
            // The live engine's query keeps sign-ins at or after the cutoff.
            if (signedInAt >= cutoff)
            {
                break;
            }
            expired++;
        }
        due = Math.Max(due, expired);
        if (due > 0 && due * StaleShare >= window.Count)
        {
            Forget(due);
        }
        return History;
    }

    public void Learn(SignInFeatures features, IReadOnlyList<FeatureLevel> levels)
    {
        window.Enqueue((features.At, levels));
        newest = features;
        History.Add(features);
    }

    private void Forget(int count)
    {
        for (var i = 0; i < count; i++)
        {
            window.Dequeue();
        }
        var rebuilt = new UserHistory();
        if (window.Count > 0 && newest is not null)
        {
            var i = 0;
            foreach (var (_, levels) in window)
            {
                if (++i == window.Count)
                {
                    break;
                }
                rebuilt.Counts.Add(levels);
            }
            // The newest last, through Add, so the history keeps it as the last sign-in (for impossible travel).
            rebuilt.Add(newest);
        }
        else
        {
            newest = null;
        }
        History = rebuilt;
    }
}

/// <summary>
/// Failed sign-ins within a window for one key, as the live engine counts them: a network's in the last hour, a user's
/// consecutive ones (since their last success) of the last day.
/// </summary>
internal sealed class RecentFailures(TimeSpan window)
{
    public static readonly TimeSpan NetworkWindow = TimeSpan.FromHours(1);
    public static readonly TimeSpan UserWindow = TimeSpan.FromDays(1);

    // The score stops adding points after a few failures (RiskModel.Weights.MaxFailurePoints); a few more suffice.
    private const int Kept = 32;

    private readonly Queue<DateTimeOffset> times = new();

    public int Before(DateTimeOffset at)
    {
        Trim(at);
        return times.Count;
    }

    public void Add(DateTimeOffset at)
    {
        Trim(at);
        times.Enqueue(at);
        if (times.Count > Kept)
        {
            times.Dequeue();
        }
    }

    /// <summary>A success ends a run of consecutive failures.</summary>
    public void Clear() => times.Clear();

    public bool IsEmpty(DateTimeOffset at)
    {
        Trim(at);
        return times.Count == 0;
    }

    private void Trim(DateTimeOffset at)
    {
        while (times.Count > 0 && times.Peek() <= at - window)
        {
            times.Dequeue();
        }
    }
}
