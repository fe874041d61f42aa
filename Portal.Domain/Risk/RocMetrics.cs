namespace Tessera.Domain.Risk;

/// <summary>
/// The ROC of a score against a label (positive: an attack), kept as counts per distinct score: scores are rounded to
/// three decimals, so millions of attempts take a few thousand entries. A threshold t flags every score ≥ t; attempts
/// with equal scores are flagged together, so ties count half in the AUC.
/// </summary>
public sealed class RocCurve
{
    private readonly Dictionary<double, (long Positives, long Negatives)> counts = [];
    private (double Score, long Positives, long Negatives)[]? descending;

    public long Positives { get; private set; }

    public long Negatives { get; private set; }

    public void Add(double score, bool positive)
    {
        if (double.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), "A score must be a number.");
        }
        score = score == 0 ? 0 : score; // one bin for 0 and -0
        var (p, n) = counts.GetValueOrDefault(score);
        counts[score] = positive ? (p + 1, n) : (p, n + 1);
        if (positive)
        {
            Positives++;
        }
        else
        {
            Negatives++;
        }
        descending = null;
    }

    /// <summary>
    /// The area under the curve: the chance that a random attack scores above a random legitimate attempt (ties half).
    /// NaN without both kinds.
    /// </summary>
    public double Auc
    {
        get
        {
            if (Positives == 0 || Negatives == 0)
            {
                return double.NaN;
            }
            // Walking down from the top: each positive beats every negative below it and ties with those beside it.
            double wins = 0;
            long negativesAbove = 0;
            foreach (var (_, p, n) in Descending())
            {
                wins += p * (Negatives - negativesAbove - n + n / 2.0);
                negativesAbove += n;
            }
            return wins / ((double)Positives * Negatives);
        }
    }

    /// <summary>The largest share of attacks flagged by a threshold that flags at most <paramref name="fpr"/> of legitimate attempts.</summary>
    public double TprAtFpr(double fpr)
    {
        if (Positives == 0 || Negatives == 0)
        {
            return double.NaN;
        }
        long tp = 0, fp = 0;
        var best = 0.0;
        foreach (var (_, p, n) in Descending())
        {
            tp += p;
            fp += n;
            if ((double)fp / Negatives > fpr)
            {
                break;
            }
            best = (double)tp / Positives;
        }
        return best;
    }

    /// <summary>The highest threshold that flags at least <paramref name="tpr"/> of the attacks; NaN without attacks.</summary>
    public double ThresholdForTpr(double tpr)
    {
        long tp = 0;
        foreach (var (score, p, _) in Descending())
        {
            tp += p;
            if (Positives > 0 && (double)tp / Positives >= tpr)
            {
                return score;
            }
        }
        return double.NaN;
    }

    /// <summary>The share of legitimate attempts a threshold flags.</summary>
    public double FprAt(double threshold) =>
        Negatives == 0 ? double.NaN : (double)Descending().TakeWhile(b => b.Score >= threshold).Sum(b => b.Negatives) / Negatives;

    private (double Score, long Positives, long Negatives)[] Descending() =>
        descending ??= counts.Select(c => (c.Key, c.Value.Positives, c.Value.Negatives)).OrderByDescending(c => c.Key).ToArray();
}

/// <summary>Figures of Wiefling et al.'s evaluations of risk-based authentication.</summary>
public static class RiskMetrics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// The re-authentication rate of legitimate users at a threshold: for each user, the share of their legitimate
    /// attempts scoring at or above it; the median over users (a user with no attempts does not count).
    /// </summary>
    public static double MedianReauthentication(IEnumerable<IReadOnlyCollection<double>> scoresPerUser, double threshold) =>
        Median(scoresPerUser.Where(s => s.Count > 0).Select(s => (double)s.Count(v => v >= threshold) / s.Count));

    /// <summary>
    /// The Risk Score Relation: the median attacker's likelihood ratio over the median legitimate attempt's (linear
    /// scale, <see cref="RiskScore.LikelihoodRatio"/>): how many times riskier an attack looks than a usual sign-in.
    /// </summary>
    public static double RiskScoreRelation(IEnumerable<double> attackScores, IEnumerable<double> legitimateScores) =>
        Median(attackScores.Select(LikelihoodRatio)) / Median(legitimateScores.Select(LikelihoodRatio));

    private static double LikelihoodRatio(double score) => Math.Pow(10, score);
}

/// <summary>What a replay of a file amounts to: the figures the risk-eval command prints.</summary>
public sealed class ReplaySummary
{
    private readonly HashSet<string> users = new(StringComparer.Ordinal);
    private readonly Dictionary<Policies.RiskDecision, long> decisions = [];

    public long Rows { get; private set; }

    public int Users => users.Count;

    public long AccountTakeovers { get; private set; }

    /// <summary>Rows scored against fewer than <see cref="RiskScore.MinimumHistory"/> earlier sign-ins of their user.</summary>
    public long WithoutBaseline { get; private set; }

    public RocCurve Roc { get; } = new();

    public long DecisionsOf(Policies.RiskDecision decision) => decisions.GetValueOrDefault(decision);

    public void Add(ReplayedLogin replayed)
    {
        Rows++;
        users.Add(replayed.Login.UserId);
        if (replayed.Login.AccountTakeover)
        {
            AccountTakeovers++;
        }
        if (!replayed.Score.HasBaseline)
        {
            WithoutBaseline++;
        }
        decisions[replayed.Decision] = DecisionsOf(replayed.Decision) + 1;
        Roc.Add(replayed.Score.Value, replayed.Login.AccountTakeover);
    }
}
