using System.Globalization;

namespace Tessera.Domain.Risk;

/// <summary>One reason of a score: which feature, its points (log10 of its likelihood ratio), and a sentence.</summary>
public sealed record RiskReason(string Feature, double Points, string Text);

/// <summary>
/// A sign-in's score: the log10 of how much less likely these features are for this user than for anyone, with the
/// reasons that add up to it (largest first). <see cref="HistoryCount"/> below 2 means no reliable baseline.
/// </summary>
public sealed record RiskScore(double Value, IReadOnlyList<RiskReason> Reasons, long HistoryCount, bool ImpossibleTravel = false)
{
    public const int MinimumHistory = 2;

    public bool HasBaseline => HistoryCount >= MinimumHistory;

    /// <summary>The score as Freeman et al. state it, a likelihood ratio (10^value).</summary>
    public double LikelihoodRatio => Math.Pow(10, Value);

    /// <summary>The reasons as one line for the audit log: "score 2.3: New country SE (…): +1.6; …".</summary>
    public string Summary(int most = 4) =>
        string.Create(CultureInfo.InvariantCulture, $"score {Value:0.0}") + (Reasons.Count == 0 ? "" : ": " + string.Join("; ", Reasons.Take(most).Select(r => r.Text)));
}

/// <summary>
/// The score of Freeman et al., "Who Are You? A Statistical Approach to Measuring User Authenticity" (NDSS 2016): for
/// each feature, how likely its value is in the whole population against how likely it is for this user, multiplied
/// over features (here: summed in log10). Each hierarchy (place, browser, time) is chained, coarse to fine, so each level
/// is conditioned on the one above it: a new country counts once, not again for its network and address.
/// <para>
/// Smoothing: the user's probability of a value under a parent backs off to the population's in proportion to how
/// varied the user is there (Witten-Bell): someone seen on ten addresses in their home network is not surprised by an
/// eleventh; someone always on one is. A level the user never reached the parent of scores 0 (as new for them as for
/// anyone), and an unknown value scores 0: missing GeoIP data or a private address is never suspicious by itself.
/// </para>
/// Outside Freeman's product, and said so in their reasons: a known device only lowers the score (cookies get
/// cleared, so a new one proves nothing); impossible travel and recent failures raise it.
/// </summary>
public sealed class RiskModel(RiskModel.Weights? weights = null)
{
    /// <param name="ImpossibleTravel">Points for travel faster than allowed.</param>
    /// <param name="PerFailure">Points per recent failed sign-in, for the user and for the network, at most <paramref name="MaxFailurePoints"/> each.</param>
    public sealed record Weights(
        double Place = 1.0,
        double Agent = 1.0,
        double Time = 0.3,
        double Device = 1.0,
        double ImpossibleTravel = 2.0,
        double PerFailure = 0.25,
        double MaxFailurePoints = 1.0,
        double MaxTravelKmPerHour = 900);

    private readonly Weights w = weights ?? new Weights();

    public RiskScore Score(SignInFeatures attempt, UserHistory history, FeatureCounts population)
    {
        var reasons = new List<RiskReason>();
        var total = 0.0;
        var user = history.Counts;
        foreach (var level in attempt.Levels())
        {
            var weight = WeightOf(level.Family);
            var userParent = user.CountOfParent(level);
            if (!level.Known || userParent == 0 || weight == 0)
            {
                // Unknown, or the user never had the level above: this value is as new for them as for anyone.
                continue;
            }
            var popParent = Math.Max(population.CountOfParent(level), population.CountOf(level.Key));
            var popShare = (population.CountOf(level.Key) + 1.0) / (popParent + 2.0);
            var seen = user.CountOf(level.Key);
            var variety = Math.Max(1, user.DistinctBeside(level));
            var userShare = (seen + variety * popShare) / (userParent + variety);
            var points = weight * Math.Log10(popShare / userShare);
            if (level.Family == SignInFeatures.Device)
            {
                // A device proves something only when it is known.
                points = Math.Min(0, points);
            }
            total += points;
            if (Math.Abs(points) >= 0.05)
            {
                reasons.Add(new RiskReason(level.Name, points, Sentence(level, seen, history.Count, population, points)));
            }
        }

        var travel = Travel(attempt, history.Last);
        if (travel is not null)
        {
            total += w.ImpossibleTravel;
            reasons.Add(new RiskReason("impossible travel", w.ImpossibleTravel, travel + ": " + Points(w.ImpossibleTravel)));
        }
        total += Failures(attempt.UserFailures, "failed sign-ins to your account in the last hour", "user failures", reasons);
        total += Failures(attempt.NetworkFailures, "failed sign-ins from this network in the last hour", "network failures", reasons);
        reasons.Sort((a, b) => b.Points.CompareTo(a.Points));
        return new RiskScore(Math.Round(total, 3), reasons, history.Count, travel is not null);
    }

    private double WeightOf(string family) => family switch
    {
        SignInFeatures.Place => w.Place,
        SignInFeatures.Agent => w.Agent,
        SignInFeatures.Time => w.Time,
        _ => w.Device,
    };

    private double Failures(int count, string what, string feature, List<RiskReason> reasons)
    {
        if (count <= 0)
        {
            return 0;
        }
        var points = Math.Min(w.MaxFailurePoints, count * w.PerFailure);
        reasons.Add(new RiskReason(feature, points, string.Create(CultureInfo.InvariantCulture, $"{count} {what}: {Points(points)}")));
        return points;
    }

    /// <summary>
    /// Great-circle speed from the last sign-in above the limit, after both accuracy radii; never when the network or
    /// the ASN is unchanged (a mobile carrier's exits can sit far from its users).
    /// </summary>
    public string? Travel(SignInFeatures attempt, LastSignIn? last)
    {
        if (last is null || attempt.Location is not { } here || last.Location is not { } there)
        {
            return null;
        }
        if ((attempt.NetworkKey is not null && attempt.NetworkKey == last.NetworkKey) || (attempt.Asn is not null && attempt.Asn == last.Asn))
        {
            return null;
        }
        var km = Distance.Km(here, there);
        var beyondAccuracy = km - here.AccuracyKm - there.AccuracyKm;
        if (beyondAccuracy <= 0)
        {
            return null;
        }
        var hours = (attempt.At - last.At).TotalHours;
        var speed = hours <= 0 ? double.PositiveInfinity : beyondAccuracy / hours;
        if (speed <= w.MaxTravelKmPerHour)
        {
            return null;
        }
        var from = new GeoPlace(last.Country, last.City).Describe() ?? "elsewhere";
        var ago = hours < 1 ? $"{Math.Max(1, (int)(hours * 60))} minutes" : $"{hours:0.#} hours";
        return string.Create(CultureInfo.InvariantCulture,
            $"Impossible travel: {km:#,0} km from your last sign-in {from} {ago} earlier ({(double.IsInfinity(speed) ? "at once" : $"{speed:#,0} km/h")})");
    }

    private static string Sentence(FeatureLevel level, long seen, long history, FeatureCounts population, double points)
    {
        var what = level.Display is { } display ? $"{level.Name} {display}" : level.Name;
        if (seen == 0)
        {
            var share = population.Total == 0 ? 0 : (double)population.CountOf(level.Key) / population.Total;
            return $"New {what} (never used by you; {Percent(share)} of all sign-ins): {Points(points)}";
        }
        var known = level.Family == SignInFeatures.Device ? "Known" : "Usual";
        return string.Create(CultureInfo.InvariantCulture, $"{known} {what} ({seen} of your {history} sign-ins): {Points(points)}");
    }

    private static string Percent(double share) => share switch
    {
        0 => "0%",
        < 0.001 => "under 0.1%",
        < 0.01 => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0.0}%"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0}%"),
    };

    public static string Points(double points) =>
        string.Create(CultureInfo.InvariantCulture, $"{(points >= 0 ? "+" : "−")}{Math.Abs(points):0.0}");
}

/// <summary>Great-circle distance (haversine, mean Earth radius).</summary>
public static class Distance
{
    public static double Km(GeoPoint a, GeoPoint b)
    {
        const double radius = 6371.0088;
        var dLat = Radians(b.Latitude - a.Latitude);
        var dLon = Radians(b.Longitude - a.Longitude);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Radians(a.Latitude)) * Math.Cos(Radians(b.Latitude)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * radius * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
