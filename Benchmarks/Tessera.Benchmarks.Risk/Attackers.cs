using System.Globalization;
using Tessera.Domain.Risk;

namespace Tessera.Benchmarks.Risk;

/// <summary>Wiefling et al.'s three attacker models, from the least to the most informed.</summary>
internal enum AttackKind
{
    /// <summary>Knows the password only: an address anywhere, any browser (a credential-stuffing bot's).</summary>
    Naive,

    /// <summary>Knows the victim's country: a VPN or hosting exit there, a common current browser.</summary>
    Vpn,

    /// <summary>
    /// Knows the victim (a phishing page saw their browser): the same city and its operators, the same browser and
    /// device type (not the exact User-Agent or version), but their own network.
    /// </summary>
    Targeted,
}

/// <summary>One successful sign-in with the victim's password, at a time between two of the victim's sign-ins.</summary>
internal static class Attackers
{
    public static RbaLogin Attack(AttackKind kind, Person victim, DateTimeOffset after, DateTimeOffset before, Random random) => (kind switch
    {
        AttackKind.Naive => Naive(Between(after, before, random), random),
        AttackKind.Vpn => Vpn(victim, Between(after, before, random), random),
        _ => Targeted(victim, Awake(victim, after, before, random), random),
    }) with { UserId = victim.Id };

    private static RbaLogin Naive(DateTimeOffset at, Random random)
    {
        var origin = World.Pick(random, World.AttackOrigins, o => o.Weight);
        // Any device, with a browser of any age up to two and a half years (bots rarely update their User-Agent lists).
        var device = Device.Random(random, (DeviceKind)random.Next(7)) with { LagDays = random.Next(0, 900), FrozenAt = null };
        return Row(at, origin.Country, null, origin.Isp.Asn, Host(origin.Isp.Network(random), random), device.At(at));
    }

    private static RbaLogin Vpn(Person victim, DateTimeOffset at, Random random)
    {
        var exit = World.Pick(random, World.Hosting);
        var device = random.NextDouble() < 0.7
            ? new Device(DeviceKind.Windows, BrowserKind.Chrome, random.Next(0, 14), null, "", 10)
            : Device.Random(random, Device.RandomKind(random)) with { FrozenAt = null };
        // A VPN's exits in a country sit in its capital's data centres.
        var city = victim.Country.Cities[0];
        return Row(at, victim.Country.Code, city, exit.Asn, Host(exit.PooledNetwork(random), random), device.At(at));
    }

    private static RbaLogin Targeted(Person victim, DateTimeOffset at, Random random)
    {
        var isp = random.NextDouble() < 0.75 ? World.Pick(random, victim.Country.Fixed) : World.Pick(random, victim.Country.Carriers);
        var theirs = victim.HomeNetworks.ToHashSet();
        var network = isp.Network(random);
        while (theirs.Contains(network))
        {
            network = isp.Network(random);
        }
        var copied = victim.Devices[0];
        var kind = random.NextDouble() < 0.7 ? copied.Kind : World.Pick(random, KindsLike(copied));
        var victimMajor = copied.Major(at);
        // Their own device of that kind (its own model and OS version) with the victim's browser, up to date.
        var own = Device.Random(random, kind) with { Browser = copied.Browser, LagDays = 0, FrozenAt = null };
        // Another version than the victim's, and never a User-Agent the victim sent before: one or two releases back,
        // or the current one when the victim lags.
        var sent = victim.UserAgentsBefore(at);
        var candidates = new[] { -1, -2, 0, -3, 1 }.OrderBy(_ => random.Next()).Append(-4).Select(shift => own with { VersionShift = shift }).ToList();
        var device = candidates.FirstOrDefault(d => d.Major(at) != victimMajor && !sent.Contains(d.At(at).UserAgent))
            ?? candidates.First(d => d.Major(at) != victimMajor);
        return Row(at, victim.Country.Code, victim.City, isp.Asn, Host(network, random), device.At(at));
    }

    // Kinds of the same device type that run the same browser (Safari only on Apple's, Edge only on Windows here).
    private static DeviceKind[] KindsLike(Device device)
    {
        DeviceKind[] sameType = device.Type switch
        {
            "mobile" => [DeviceKind.AndroidPhone, DeviceKind.IPhone],
            "tablet" => [DeviceKind.IPad, DeviceKind.AndroidTablet],
            _ => [DeviceKind.Windows, DeviceKind.Mac, DeviceKind.Linux],
        };
        var fits = sameType.Where(k => device.Browser switch
        {
            BrowserKind.Safari => k is DeviceKind.Mac or DeviceKind.IPhone or DeviceKind.IPad,
            BrowserKind.Edge => k is DeviceKind.Windows,
            BrowserKind.Firefox => k is not (DeviceKind.IPhone or DeviceKind.IPad or DeviceKind.AndroidTablet),
            _ => k is not DeviceKind.IPad,
        }).ToArray();
        return fits.Length > 0 ? fits : [device.Kind];
    }

    private static DateTimeOffset Between(DateTimeOffset after, DateTimeOffset before, Random random)
    {
        var gap = Math.Max(0, (before - after).TotalSeconds - 120);
        return after.AddSeconds(60 + random.NextDouble() * gap);
    }

    // A person who knows the victim signs in during waking hours of the victim's city.
    private static DateTimeOffset Awake(Person victim, DateTimeOffset after, DateTimeOffset before, Random random)
    {
        var at = Between(after, before, random);
        for (var i = 0; i < 20 && ((at.UtcDateTime.Hour + victim.City.UtcOffset) % 24 + 24) % 24 is < 8 or >= 23; i++)
        {
            at = Between(after, before, random);
        }
        return at;
    }

    private static string Host(string network, Random random) => string.Create(CultureInfo.InvariantCulture, $"{network}.{1 + random.Next(254)}");

    private static RbaLogin Row(DateTimeOffset at, string country, City? city, long asn, string ip, Agent agent) =>
        new(0, at, "", Math.Round(80 + at.Millisecond % 300.0), ip, country, city?.Region, city?.Name, asn,
            agent.UserAgent, agent.Browser, agent.Os, agent.DeviceType, Successful: true, AttackIp: true, AccountTakeover: true);
}
