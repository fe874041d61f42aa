using Tessera.Domain.Contacts;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Risk;

/// <summary>One replayed attempt: its row, its score and what the policy would have decided.</summary>
public sealed record ReplayedLogin(RbaLogin Login, RiskScore Score, RiskDecision Decision);

/// <summary>
/// Replays recorded attempts, in time order, through the real scoring: each is scored against its user's history and
/// the population before anything is learned from it, then learned from as the live engine learns: only a successful,
/// legitimate sign-in (here the data set's label says which) enters the user's history and the population counts; a
/// failure counts towards its user's consecutive failures (until a success, for a day) and its network's of the next
/// hour. A replay is one pass over one file.
/// </summary>
public sealed class RiskReplay(RiskModel model, RiskPolicy policy, RiskOptions options, IGeoLocator geo, Func<string, string> pseudonym)
{
    // Users whose whole history has expired are forgotten now and then, so a replay of a year of sign-ins keeps only
    // the users of the last retention period in memory.
    private const int SweepEvery = 1 << 20;

    private static readonly UserHistory NoHistory = new();

    private readonly Dictionary<string, ReplayHistory> histories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecentFailures> userFailures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecentFailures> networkFailures = new(StringComparer.Ordinal);

    // One instance per distinct level: the windows hold every remembered sign-in's levels, and a year of sign-ins
    // repeats the same few keys (a user's country, operator, browser) over and over. On 1.2 million synthetic rows,
    // fresh copies per sign-in took the replay's memory from 1.6 GB to 3.1 GB.
    private readonly Dictionary<FeatureLevel, FeatureLevel> levels = [];
    private DateTimeOffset clock = DateTimeOffset.MinValue;
    private long replayed;

    public FeatureCounts Population { get; } = new();

    /// <summary>Users with a history in memory now.</summary>
    public int UsersRemembered => histories.Count;

    public ReplayedLogin Next(RbaLogin login)
    {
        if (login.At < clock)
        {
            throw new ArgumentException($"Row {login.Index} is earlier than the row before it: a replay goes in time order (see RbaCsv.InTimeOrder).", nameof(login));
        }
        clock = login.At;
        var network = Networks.Of(login.IpAddress);
        var features = FeaturesOf(login,
            userFailures.TryGetValue(login.UserId, out var byUser) ? byUser.Before(login.At) : 0,
            network is not null && networkFailures.TryGetValue(network, out var byNetwork) ? byNetwork.Before(login.At) : 0);
        var history = histories.TryGetValue(login.UserId, out var window) ? window.At(login.At) : NoHistory;

        var score = model.Score(features, history, Population);
        var decision = policy.Decide(score.Value, score.HasBaseline, hasFactor: false);

        if (login.Successful && !login.AccountTakeover)
        {
            if (window is null)
            {
                window = new ReplayHistory(options.HistoryRetention, options.MaxHistoryPerUser);
                histories[login.UserId] = window;
            }
            var shared = Shared(features.Levels());
            window.Learn(features, shared);
            Population.Add(shared);
        }
        if (login.Successful)
        {
            byUser?.Clear();
        }
        else
        {
            Failed(userFailures, login.UserId, login.At, RecentFailures.UserWindow);
            if (network is not null)
            {
                Failed(networkFailures, network, login.At, RecentFailures.NetworkWindow);
            }
        }
        if (++replayed % SweepEvery == 0)
        {
            Sweep();
        }
        return new ReplayedLogin(login, score, decision);
    }

    /// <summary>The history a user's attempt at <paramref name="at"/> would be scored against (for benchmarks).</summary>
    public UserHistory HistoryOf(string userId, DateTimeOffset at) =>
        histories.TryGetValue(userId, out var window) ? window.At(at) : NoHistory;

    /// <summary>
    /// The features of a row. Country, city and ASN come from the data set where it gives them (the data set is
    /// synthesised, so its addresses need not be where GeoIP puts them), else from GeoIP; coordinates, which the data set lacks,
    /// only from GeoIP and only when it agrees on the country, so a disagreement never fakes impossible travel. The
    /// data set's browser, OS and device type fill in what the User-Agent parser cannot tell.
    /// </summary>
    public SignInFeatures FeaturesOf(RbaLogin login, int failuresOfUser = 0, int failuresOfNetwork = 0)
    {
        var located = geo.Locate(login.IpAddress);
        var agrees = login.Country is null || located.Country is null || string.Equals(login.Country, located.Country, StringComparison.OrdinalIgnoreCase);
        var place = new GeoPlace(
            Country: login.Country ?? located.Country,
            City: login.City ?? (agrees ? located.City : null),
            Latitude: agrees ? located.Latitude : null,
            Longitude: agrees ? located.Longitude : null,
            AccuracyKm: agrees ? located.AccuracyKm : null,
            Asn: login.Asn ?? located.Asn,
            AsnOrganisation: login.Asn is null || login.Asn == located.Asn ? located.AsnOrganisation : null,
            Anonymiser: located.Anonymiser,
            Hosting: located.Hosting);
        var features = SignInFeatures.From(login.At, login.IpAddress, login.UserAgent, deviceId: null, place, pseudonym, failuresOfUser, failuresOfNetwork);
        if (features is { Browser: not null, Os: not null, DeviceType: not null })
        {
            return features;
        }
        return features with
        {
            Browser = features.Browser ?? BrowserOf(login.Browser),
            Os = features.Os ?? OsOf(login.Os),
            DeviceType = features.DeviceType ?? DeviceTypeOf(login.DeviceType),
        };
    }

    // "Chrome Mobile 79.0.3945" → "Chrome Mobile 79": name and major version, as the parser names browsers.
    internal static string? BrowserOf(string? nameAndVersion)
    {
        var (name, version) = NameAndVersion(nameAndVersion);
        return name is null ? null : version is null ? name : $"{name} {version.Split('.')[0]}";
    }

    // "Mac OS X 10.14.6" → "macOS": the parser's names, without the version.
    internal static string? OsOf(string? nameAndVersion) => NameAndVersion(nameAndVersion).Name switch
    {
        null => null,
        "Mac OS X" or "Mac OS" or "macOS" => "macOS",
        "Chrome OS" => "ChromeOS",
        "Ubuntu" or "Fedora" or "Debian" => "Linux",
        var name => name,
    };

    internal static string? DeviceTypeOf(string? type) =>
        type is null || type.Equals("unknown", StringComparison.OrdinalIgnoreCase) ? null : type.ToLowerInvariant();

    private static (string? Name, string? Version) NameAndVersion(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, null);
        }
        var words = value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var first = Array.FindIndex(words, w => char.IsAsciiDigit(w[0]));
        return first switch
        {
            < 0 => (string.Join(' ', words), null),
            0 => (null, null),
            _ => (string.Join(' ', words[..first]), words[first]),
        };
    }

    private FeatureLevel[] Shared(IReadOnlyList<FeatureLevel> fresh)
    {
        var shared = new FeatureLevel[fresh.Count];
        for (var i = 0; i < fresh.Count; i++)
        {
            if (!levels.TryGetValue(fresh[i], out var known))
            {
                known = fresh[i];
                levels[known] = known;
            }
            shared[i] = known;
        }
        return shared;
    }

    private static void Failed(Dictionary<string, RecentFailures> failures, string key, DateTimeOffset at, TimeSpan window)
    {
        if (!failures.TryGetValue(key, out var recent))
        {
            recent = new RecentFailures(window);
            failures[key] = recent;
        }
        recent.Add(at);
    }

    private void Sweep()
    {
        var cutoff = clock - options.HistoryRetention;
        foreach (var (user, window) in histories)
        {
            if (window.NewestAt is not { } newest || newest < cutoff)
            {
                histories.Remove(user);
            }
        }
        foreach (var failures in new[] { userFailures, networkFailures })
        {
            foreach (var (key, recent) in failures)
            {
                if (recent.IsEmpty(clock))
                {
                    failures.Remove(key);
                }
            }
        }
    }
}
