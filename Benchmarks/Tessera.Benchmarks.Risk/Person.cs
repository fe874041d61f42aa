using System.Globalization;
using Tessera.Domain.Risk;

namespace Tessera.Benchmarks.Risk;

/// <summary>
/// One synthetic user: a home (country, city, broadband operator, an address that its operator changes now and then),
/// maybe a phone on a mobile carrier (carrier-grade NAT: a shared pool of exits), 1–3 devices, a few VPN users, habits
/// (one or two preferred local hours; some only on weekdays), heavy-tailed login counts, trips abroad, typos.
/// </summary>
internal sealed class Person
{
    public static readonly DateTimeOffset Epoch = new(2020, 2, 1, 0, 0, 0, TimeSpan.Zero);
    public const int Days = 366;

    private readonly Random random;
    private readonly List<(DateTimeOffset From, string Ip)> leases = [];
    private readonly List<(DateTimeOffset From, DateTimeOffset To, (string Country, double Weight, City City, Isp Isp) Where)> trips = [];
    private readonly double[] peaks;
    private readonly double sigma;
    private readonly bool weekdaysOnly;
    private readonly double mobileData;
    private readonly Isp? vpn;
    private readonly string vpnCountry = "";
    private readonly double vpnShare;

    public Person(int number, Random random)
    {
        this.random = random;
        // Numbers like the data set's (large, signed), unique per person.
        Id = (-7_919_000_000_000_000L + number * 104_729_000_003L).ToString(CultureInfo.InvariantCulture);
        Country = World.Pick(random, World.Countries, c => c.Weight);
        City = World.Pick(random, Country.Cities);
        Home = World.Pick(random, Country.Fixed);
        Carrier = World.Pick(random, Country.Carriers);
        var first = Device.Random(random, Device.RandomKind(random));
        var count = random.NextDouble() switch { < 0.45 => 1, < 0.85 => 2, _ => 3 };
        Devices = [first, .. Enumerable.Range(1, count - 1).Select(_ => Device.Random(random, Device.CompanionKind(random, first.Kind)))];
        // Most logins from the first device, the rest shared.
        DeviceWeights = [.. Devices.Select((_, i) => i == 0 ? 0.65 : 0.35 / (count - 1))];
        mobileData = Devices.Any(d => d.Type == "mobile") && random.NextDouble() < 0.6 ? 0.2 + random.NextDouble() * 0.5 : 0;
        if (random.NextDouble() < 0.04)
        {
            vpn = World.Pick(random, World.Hosting);
            vpnCountry = random.NextDouble() < 0.5 ? Country.Code : World.Pick(random, ["NL", "SE", "US", "DE", "GB", "CH"]);
            vpnShare = 0.2 + random.NextDouble() * 0.4;
        }
        peaks = [7 + random.NextDouble() * 15, 7 + random.NextDouble() * 16];
        sigma = 0.7 + random.NextDouble() * 1.8;
        weekdaysOnly = random.NextDouble() < 0.25;
        // Heavy-tailed: P(n >= k) = k^-0.9, so half log in once or twice and a few every day (Wiefling et al.).
        Logins = Math.Min(1000, (int)Math.Floor(Math.Pow(1 - random.NextDouble(), -1 / 0.9)));
        var start = random.NextDouble() * (Days - 30);
        var span = Math.Min(Days - start, Math.Max(7, Logins * (2 + random.NextDouble() * 18)));
        First = Epoch.AddDays(start);
        Last = First.AddDays(span);
        Leases(random.NextDouble() < 0.5 ? 30 + random.NextDouble() * 90 : 200 + random.NextDouble() * 400);
        Trips();
    }

    public string Id { get; }

    public Country Country { get; }

    public City City { get; }

    public Isp Home { get; }

    public Isp Carrier { get; }

    public Device[] Devices { get; }

    public double[] DeviceWeights { get; }

    public int Logins { get; }

    public DateTimeOffset First { get; }

    public DateTimeOffset Last { get; }

    private readonly List<(DateTimeOffset At, string UserAgent)> sent = [];

    /// <summary>The User-Agents the person's sign-ins sent before a time: a targeted attacker imitates the browser, not the exact string.</summary>
    public HashSet<string> UserAgentsBefore(DateTimeOffset at) => sent.Where(s => s.At < at).Select(s => s.UserAgent).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every /24 the person's home connection has had: a targeted attacker comes from another one.</summary>
    public IEnumerable<string> HomeNetworks => leases.Select(l => l.Ip[..l.Ip.LastIndexOf('.')]);

    /// <summary>The person's legitimate sign-ins in time order, each successful one maybe after a mistyped password.</summary>
    public List<RbaLogin> SignIns()
    {
        var days = Enumerable.Range(0, Logins).Select(_ => random.NextDouble() * (Last - First).TotalDays).Order().ToList();
        var rows = new List<RbaLogin>(Logins + 4);
        foreach (var day in days)
        {
            var date = First.AddDays(Math.Floor(day));
            if (weekdaysOnly && date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                date = date.AddDays(date.DayOfWeek == DayOfWeek.Saturday ? 2 : 1);
            }
            var trip = trips.FirstOrDefault(t => t.From <= date && date < t.To);
            var offset = trip.Where.City?.UtcOffset ?? City.UtcOffset;
            var at = date.AddHours(LocalHour() - offset);
            var device = World.Pick(random, Enumerable.Range(0, Devices.Length).ToArray(), i => DeviceWeights[i] * (trip.Where.City is null || Devices[i].Type != "desktop" ? 1 : 0.4));
            var row = Row(at, Devices[device], trip.Where.City is null ? null : trip.Where);
            if (random.NextDouble() < 0.03)
            {
                rows.Add(row with { At = at.AddSeconds(-10 - random.Next(80)), Successful = false });
            }
            rows.Add(row);
        }
        return [.. rows.OrderBy(r => r.At)];
    }

    private RbaLogin Row(DateTimeOffset at, Device device, (string Country, double Weight, City City, Isp Isp)? abroad)
    {
        string country = Country.Code, ip;
        City? city = City;
        long asn;
        var onMobileData = device.Type == "mobile" && random.NextDouble() < (abroad is null ? mobileData : 0.5);
        if (vpn is not null && random.NextDouble() < vpnShare)
        {
            (country, city, asn, ip) = (vpnCountry, null, vpn.Asn, Host(vpn.PooledNetwork(random)));
        }
        else if (onMobileData)
        {
            // Roaming still exits through the home carrier, so it geolocates at home.
            (asn, ip) = (Carrier.Asn, Host(Carrier.PooledNetwork(random)));
        }
        else if (abroad is { } a)
        {
            (country, city, asn, ip) = (a.Country, a.City, a.Isp.Asn, Host(a.Isp.Network(random)));
        }
        else
        {
            (asn, ip) = (Home.Asn, leases.Last(l => l.From <= at).Ip);
        }
        var agent = device.At(at);
        sent.Add((at, agent.UserAgent));
        double? rtt = random.NextDouble() < 0.1 ? null : Math.Round(25 + random.NextDouble() * 180 + (abroad is null ? 0 : 120));
        return new RbaLogin(0, at, Id, rtt, ip, country, city?.Region, city?.Name, asn, agent.UserAgent, agent.Browser, agent.Os, agent.DeviceType, true);
    }

    private string Host(string network) => string.Create(CultureInfo.InvariantCulture, $"{network}.{1 + random.Next(254)}");

    // A mixture of the person's preferred hours, in local time.
    private double LocalHour()
    {
        var peak = random.NextDouble() < 0.6 ? peaks[0] : peaks[1];
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return ((peak + sigma * normal) % 24 + 24) % 24;
    }

    // The operator reassigns the home address about every meanDays: often within the same /24, sometimes to another.
    private void Leases(double meanDays)
    {
        var network = Home.Network(random);
        for (var at = Epoch.AddDays(-30); at < Last; at = at.AddDays(-meanDays * Math.Log(1 - random.NextDouble())))
        {
            if (leases.Count > 0 && random.NextDouble() < 0.4)
            {
                network = Home.Network(random);
            }
            leases.Add((at, Host(network)));
        }
    }

    private void Trips()
    {
        if (random.NextDouble() >= 0.15)
        {
            return;
        }
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var from = First.AddDays(random.NextDouble() * Math.Max(1, (Last - First).TotalDays));
            trips.Add((from, from.AddDays(3 + random.Next(12)), World.Pick(random, World.Destinations, d => d.Weight)));
        }
    }
}
