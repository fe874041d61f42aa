using Tessera.Domain.Risk;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A small, fixed sign-in history in the RBA data set's layout: users with a home network and a browser of their own,
/// signing in at their usual hours from Norway, now and then mistyping, and a few account takeovers from abroad on
/// other networks and browsers. Deterministic (fixed seed), so a test's expected figures hold run after run.
/// </summary>
internal static class RbaSample
{
    private static readonly (string Browser, string Os, string Device, string Agent)[] Agents =
    [
        ("Chrome 79.0.3945", "Windows 10", "desktop",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36"),
        ("Mobile Safari 13.0.4", "iOS 13.3", "mobile",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.4 Mobile/15E148 Safari/604.1"),
        ("Firefox 72.0", "Mac OS X 10.15", "desktop",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:72.0) Gecko/20100101 Firefox/72.0"),
        ("Chrome Mobile 80.0.3987", "Android 9", "mobile",
            "Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 Mobile Safari/537.36"),
    ];

    private static readonly (string Country, long Asn, string Prefix, string Browser, string Os, string Device, string Agent)[] Attackers =
    [
        ("US", 16509, "52.95", "Chrome 78.0.3904", "Linux", "desktop", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36"),
        ("RU", 12389, "95.24", "Firefox 68.0", "Windows 7", "desktop", "Mozilla/5.0 (Windows NT 6.1; rv:68.0) Gecko/20100101 Firefox/68.0"),
        ("CN", 4134, "113.87", "Opera 66.0.3515", "Windows 10", "desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36 OPR/66.0.3515.72"),
    ];

    private static readonly long[] HomeAsns = [29695, 2119, 12929];

    public static List<RbaLogin> Logins(int users = 30, int loginsPerUser = 15, int takeovers = 6, int seed = 2022)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2020, 2, 3, 0, 0, 0, TimeSpan.Zero);
        var rows = new List<RbaLogin>();
        var homes = new List<(string User, long Asn, string Network, int Agent, int Hour)>();
        for (var u = 0; u < users; u++)
        {
            var home = (User: (1_000_000L + u * 7919).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Asn: HomeAsns[u % HomeAsns.Length], Network: $"84.{208 + u % 3}.{u}", Agent: random.Next(Agents.Length), Hour: 6 + random.Next(14));
            homes.Add(home);
            for (var i = 0; i < loginsPerUser; i++)
            {
                var at = start.AddDays(i * 2 + random.Next(2)).AddHours(home.Hour + random.Next(-1, 2)).AddMinutes(random.Next(60));
                var agent = Agents[home.Agent];
                if (random.Next(20) == 0)
                {
                    // A mistyped password just before the right one.
                    rows.Add(Row(home.User, at.AddSeconds(-40), $"{home.Network}.{1 + random.Next(200)}", "NO", home.Asn, agent, successful: false));
                }
                rows.Add(Row(home.User, at, $"{home.Network}.{1 + random.Next(200)}", "NO", home.Asn, agent, successful: true));
            }
        }
        for (var t = 0; t < takeovers; t++)
        {
            var victim = homes[random.Next(homes.Count)];
            var attacker = Attackers[t % Attackers.Length];
            var at = start.AddDays(loginsPerUser * 2 + 1 + t).AddHours(random.Next(24));
            rows.Add(Row(victim.User, at, $"{attacker.Prefix}.{random.Next(256)}.{1 + random.Next(250)}", attacker.Country, attacker.Asn,
                (attacker.Browser, attacker.Os, attacker.Device, attacker.Agent), successful: true, takeover: true));
        }
        rows = [.. rows.OrderBy(r => r.At)];
        return [.. rows.Select((r, i) => r with { Index = i })];
    }

    public static void Write(string path, IEnumerable<RbaLogin> rows)
    {
        using var writer = new StreamWriter(path);
        RbaCsv.WriteHeader(writer);
        foreach (var row in rows)
        {
            RbaCsv.Write(writer, row);
        }
    }

    private static RbaLogin Row(string user, DateTimeOffset at, string ip, string country, long asn,
        (string Browser, string Os, string Device, string Agent) agent, bool successful, bool takeover = false) =>
        new(0, at, user, 400 + at.Second, ip, country, null, null, asn, agent.Agent, agent.Browser, agent.Os, agent.Device,
            successful, AttackIp: takeover, AccountTakeover: takeover);
}
