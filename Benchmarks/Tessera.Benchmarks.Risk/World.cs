namespace Tessera.Benchmarks.Risk;

/// <summary>An operator's network: its ASN and the /16 blocks its addresses come from.</summary>
internal sealed record Isp(long Asn, string Name, bool Mobile, bool Hosting = false)
{
    // Each ASN gets a few /16 blocks of its own, derived from the number so the world is the same on every run.
    public (int A, int B)[] Blocks { get; } = Enumerable.Range(0, 4)
        .Select(i => (A: 11 + (int)((Asn * 7 + i * 13) % 200), B: (int)((Asn * 31 + i * 17) % 256)))
        .Select(b => b.A is 100 or 127 or 169 or 172 or 192 ? (b.A + 1, b.B) : b)
        .ToArray();

    /// <summary>A /24 of this operator: "a.b.c".</summary>
    public string Network(Random random)
    {
        var (a, b) = Blocks[random.Next(Blocks.Length)];
        return $"{a}.{b}.{random.Next(256)}";
    }

    /// <summary>A carrier's or a VPN's exit pool is small and shared by all its users: one of 48 fixed /24s.</summary>
    public string PooledNetwork(Random random)
    {
        var slot = random.Next(48);
        var (a, b) = Blocks[slot % Blocks.Length];
        return $"{a}.{b}.{(slot * 37 + Asn) % 256}";
    }
}

internal sealed record City(string Name, string Region, double UtcOffset);

internal sealed record Country(string Code, double Weight, City[] Cities, Isp[] Fixed, Isp[] Carriers);

/// <summary>
/// The world of the synthetic population. Home countries are weighted like a Norwegian service's users (Wiefling et
/// al.'s data comes from one): most at home, some neighbours, a tail abroad. Operators and their ASNs are real names;
/// the address blocks are made up. Offsets are winter time, enough for habits in local hours.
/// </summary>
internal static class World
{
    public static readonly Country[] Countries =
    [
        new("NO", 0.55,
            [new("Oslo", "Oslo", 1), new("Bergen", "Vestland", 1), new("Trondheim", "Trøndelag", 1), new("Stavanger", "Rogaland", 1), new("Tromsø", "Troms og Finnmark", 1)],
            [new(2119, "Telenor Norge", false), new(29695, "Altibox", false), new(41164, "Telia Norge (Get)", false), new(57963, "Lyse Tele", false)],
            [new(2119, "Telenor Norge", true), new(12929, "Telia Norge", true), new(15659, "Ice", true)]),
        new("SE", 0.08,
            [new("Stockholm", "Stockholm", 1), new("Göteborg", "Västra Götaland", 1), new("Malmö", "Skåne", 1)],
            [new(3301, "Telia Sverige", false), new(8473, "Bahnhof", false), new(39651, "Tele2 (Com Hem)", false)],
            [new(1257, "Tele2", true), new(3301, "Telia Sverige", true), new(44034, "Hi3G", true)]),
        new("DE", 0.07,
            [new("Berlin", "Berlin", 1), new("Hamburg", "Hamburg", 1), new("München", "Bayern", 1)],
            [new(3320, "Deutsche Telekom", false), new(3209, "Vodafone Deutschland", false), new(6805, "Telefonica Germany", false)],
            [new(3320, "Deutsche Telekom", true), new(6805, "Telefonica Germany", true)]),
        new("US", 0.10,
            [new("New York", "New York", -5), new("Chicago", "Illinois", -6), new("Los Angeles", "California", -8)],
            [new(7922, "Comcast", false), new(701, "Verizon", false), new(7018, "AT&T", false)],
            [new(21928, "T-Mobile USA", true), new(22394, "Verizon Wireless", true), new(20057, "AT&T Mobility", true)]),
        new("GB", 0.06,
            [new("London", "England", 0), new("Manchester", "England", 0), new("Glasgow", "Scotland", 0)],
            [new(2856, "BT", false), new(5089, "Virgin Media", false), new(13285, "TalkTalk", false)],
            [new(12576, "EE", true), new(206067, "Three UK", true)]),
        new("PL", 0.04,
            [new("Warszawa", "Mazowieckie", 1), new("Kraków", "Małopolskie", 1)],
            [new(5617, "Orange Polska", false), new(12741, "Netia", false)],
            [new(12912, "T-Mobile Polska", true), new(29314, "Vectra", true)]),
        new("IN", 0.05,
            [new("Mumbai", "Maharashtra", 5.5), new("Delhi", "Delhi", 5.5)],
            [new(9829, "BSNL", false), new(24560, "Bharti Airtel", false)],
            [new(55836, "Reliance Jio", true), new(45609, "Bharti Airtel Mobile", true)]),
        new("BR", 0.05,
            [new("São Paulo", "São Paulo", -3), new("Rio de Janeiro", "Rio de Janeiro", -3)],
            [new(28573, "Claro", false), new(18881, "Vivo", false)],
            [new(26599, "Vivo", true), new(26615, "TIM", true)]),
    ];

    /// <summary>Where people go on holiday or business (Norwegians mostly south): hotel and café networks there.</summary>
    public static readonly (string Country, double Weight, City City, Isp Isp)[] Destinations =
    [
        ("ES", 0.25, new("Málaga", "Andalucía", 1), new(3352, "Telefonica de Espana", false)),
        ("IT", 0.15, new("Roma", "Lazio", 1), new(3269, "Telecom Italia", false)),
        ("GR", 0.10, new("Chania", "Crete", 2), new(6799, "OTE", false)),
        ("GB", 0.12, new("London", "England", 0), new(2856, "BT", false)),
        ("US", 0.10, new("New York", "New York", -5), new(7922, "Comcast", false)),
        ("DE", 0.10, new("Berlin", "Berlin", 1), new(3320, "Deutsche Telekom", false)),
        ("TH", 0.08, new("Bangkok", "Bangkok", 7), new(7470, "True Internet", false)),
        ("DK", 0.10, new("København", "Hovedstaden", 1), new(3292, "TDC", false)),
    ];

    /// <summary>Hosting and VPN operators (exits in many countries): what a VPN user or a VPN attacker comes from.</summary>
    public static readonly Isp[] Hosting =
    [
        new(9009, "M247", false, true), new(16276, "OVH", false, true), new(14061, "DigitalOcean", false, true),
        new(212238, "Datacamp (CDN77)", false, true), new(20473, "Vultr (Choopa)", false, true), new(24940, "Hetzner", false, true),
        new(136787, "TEFINCOM (NordVPN)", false, true), new(39351, "31173 Services (Mullvad)", false, true),
    ];

    /// <summary>Where naive attackers' addresses come from: anywhere, weighted towards large botnet hosts.</summary>
    public static readonly (string Country, double Weight, Isp Isp)[] AttackOrigins =
    [
        ("US", 0.15, new(7922, "Comcast", false)), ("CN", 0.15, new(4134, "Chinanet", false)), ("RU", 0.12, new(12389, "Rostelecom", false)),
        ("BR", 0.08, new(28573, "Claro", false)), ("IN", 0.08, new(9829, "BSNL", false)), ("VN", 0.08, new(45899, "VNPT", false)),
        ("ID", 0.06, new(7713, "Telkom Indonesia", false)), ("UA", 0.05, new(15895, "Kyivstar", false)), ("TR", 0.05, new(9121, "Turk Telekom", false)),
        ("NL", 0.06, new(16276, "OVH", false, true)), ("DE", 0.06, new(24940, "Hetzner", false, true)), ("FR", 0.06, new(3215, "Orange", false)),
    ];

    public static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var x = random.NextDouble() * total;
        foreach (var item in items)
        {
            x -= weight(item);
            if (x < 0)
            {
                return item;
            }
        }
        return items[^1];
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
