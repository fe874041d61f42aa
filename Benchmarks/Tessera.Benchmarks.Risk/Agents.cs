using System.Globalization;

namespace Tessera.Benchmarks.Risk;

internal enum DeviceKind { Windows, Mac, Linux, AndroidPhone, IPhone, IPad, AndroidTablet }

internal enum BrowserKind { Chrome, Edge, Firefox, Safari }

/// <summary>What a row says of the browser: the User-Agent and the data set's three parsed columns.</summary>
internal sealed record Agent(string UserAgent, string Browser, string Os, string DeviceType);

/// <summary>
/// A person's device and browser. Versions follow the real release trains of 2020 (Chrome and Edge every six weeks,
/// Firefox every four, Safari with the yearly OS and its point releases), each device some days behind (automatic
/// updates are not instant) and a few frozen (never updated), so User-Agents change over time as they do.
/// </summary>
internal sealed record Device(DeviceKind Kind, BrowserKind Browser, int LagDays, DateTimeOffset? FrozenAt, string Model, int AndroidVersion, int VersionShift = 0)
{
    private static readonly DateTimeOffset Chrome80 = new(2020, 2, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Firefox72 = new(2020, 1, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Safari13 = new(2019, 9, 19, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Phones = ["SM-G960F", "SM-G973F", "Pixel 3", "Pixel 4a", "ONEPLUS A6013", "Mi 9T", "SM-A505FN", "moto g(7)"];
    private static readonly string[] Tablets = ["SM-T510", "Lenovo TB-X505F"];

    public string Type => Kind switch
    {
        DeviceKind.AndroidPhone or DeviceKind.IPhone => "mobile",
        DeviceKind.IPad or DeviceKind.AndroidTablet => "tablet",
        _ => "desktop",
    };

    /// <summary>The browser's major version at a time (for a targeted attacker's choice of a different one).</summary>
    public int Major(DateTimeOffset at) => Versions(at).Major;

    public Agent At(DateTimeOffset at)
    {
        var (major, patch, minor) = Versions(at);
        var c = CultureInfo.InvariantCulture;
        var build = 3987 + (major - 80) * 53;
        var chrome = string.Create(c, $"{major}.0.{build}.{patch}");
        var macos = string.Create(c, $"10_15_{Math.Min(7, 2 + minor)}");
        var ios = string.Create(c, $"{major}_{minor}");
        var safari = string.Create(c, $"{major}.{minor}");
        const string Webkit = "AppleWebKit/537.36 (KHTML, like Gecko)";
        const string AppleWebkit = "AppleWebKit/605.1.15 (KHTML, like Gecko)";
        return (Kind, Browser) switch
        {
            (DeviceKind.Windows, BrowserKind.Firefox) => new($"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0", $"Firefox {major}.0", "Windows 10", Type),
            (DeviceKind.Windows, BrowserKind.Edge) => new($"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {Webkit} Chrome/{chrome} Safari/537.36 Edg/{major}.0.{361 + (major - 80) * 40}.{patch / 2}",
                $"Edge {major}.0.{361 + (major - 80) * 40}", "Windows 10", Type),
            (DeviceKind.Windows, _) => new($"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {Webkit} Chrome/{chrome} Safari/537.36", $"Chrome {major}.0.{build}", "Windows 10", Type),
            (DeviceKind.Mac, BrowserKind.Safari) => new($"Mozilla/5.0 (Macintosh; Intel Mac OS X {macos}) {AppleWebkit} Version/{safari} Safari/605.1.15", $"Safari {safari}", $"Mac OS X {macos.Replace('_', '.')}", Type),
            (DeviceKind.Mac, BrowserKind.Firefox) => new($"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{major}.0) Gecko/20100101 Firefox/{major}.0", $"Firefox {major}.0", "Mac OS X 10.15", Type),
            (DeviceKind.Mac, _) => new($"Mozilla/5.0 (Macintosh; Intel Mac OS X {macos}) {Webkit} Chrome/{chrome} Safari/537.36", $"Chrome {major}.0.{build}", $"Mac OS X {macos.Replace('_', '.')}", Type),
            (DeviceKind.Linux, BrowserKind.Firefox) => new($"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0", $"Firefox {major}.0", "Ubuntu", Type),
            (DeviceKind.Linux, _) => new($"Mozilla/5.0 (X11; Linux x86_64) {Webkit} Chrome/{chrome} Safari/537.36", $"Chrome {major}.0.{build}", "Linux", Type),
            (DeviceKind.AndroidPhone, BrowserKind.Firefox) => new($"Mozilla/5.0 (Android {AndroidVersion}; Mobile; rv:{major}.0) Gecko/{major}.0 Firefox/{major}.0", $"Firefox Mobile {major}.0", $"Android {AndroidVersion}", Type),
            (DeviceKind.AndroidPhone, _) => new($"Mozilla/5.0 (Linux; Android {AndroidVersion}; {Model}) {Webkit} Chrome/{chrome} Mobile Safari/537.36", $"Chrome Mobile {major}.0.{build}", $"Android {AndroidVersion}", Type),
            (DeviceKind.AndroidTablet, _) => new($"Mozilla/5.0 (Linux; Android {AndroidVersion}; {Model}) {Webkit} Chrome/{chrome} Safari/537.36", $"Chrome {major}.0.{build}", $"Android {AndroidVersion}", Type),
            (DeviceKind.IPhone, BrowserKind.Chrome) => new($"Mozilla/5.0 (iPhone; CPU iPhone OS {IosOf(at)} like Mac OS X) {AppleWebkit} CriOS/{chrome} Mobile/15E148 Safari/604.1", $"Chrome Mobile iOS {major}.0.{build}", $"iOS {IosOf(at).Replace('_', '.')}", Type),
            (DeviceKind.IPhone, _) => new($"Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) {AppleWebkit} Version/{safari} Mobile/15E148 Safari/604.1", $"Mobile Safari {safari}", $"iOS {safari}", Type),
            _ => new($"Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) {AppleWebkit} Version/{safari} Mobile/15E148 Safari/604.1", $"Mobile Safari {safari}", $"iOS {safari}", Type),
        };
    }

    private DateTimeOffset Effective(DateTimeOffset at)
    {
        var behind = at.AddDays(-LagDays);
        return FrozenAt is { } frozen && frozen < behind ? frozen : behind;
    }

    // (major, patch: the build's last number, changing within a major every few days; minor: an OS point release).
    private (int Major, int Patch, int Minor) Versions(DateTimeOffset at)
    {
        var d = Effective(at);
        switch (Browser)
        {
            case BrowserKind.Firefox:
                return (72 + (int)Math.Floor((d - Firefox72).TotalDays / 28) + VersionShift, 0, 0);
            case BrowserKind.Safari:
                var days = (d - Safari13).TotalDays;
                var year = (int)Math.Floor(days / 365);
                return (13 + year + VersionShift, 0, Math.Clamp((int)((days - year * 365) / 61), 0, 5));
            default:
                var sinceRelease = ((d - Chrome80).TotalDays % 42 + 42) % 42;
                return (80 + (int)Math.Floor((d - Chrome80).TotalDays / 42) + VersionShift, 87 + 19 * (int)(sinceRelease / 9), 0);
        }
    }

    private string IosOf(DateTimeOffset at) => (this with { Browser = BrowserKind.Safari, VersionShift = 0 }).Versions(at) is var (m, _, n)
        ? string.Create(CultureInfo.InvariantCulture, $"{m}_{n}") : "";

    /// <summary>A person's device: kinds and browsers weighted like 2020's shares.</summary>
    public static Device Random(Random random, DeviceKind kind)
    {
        var browser = kind switch
        {
            DeviceKind.Windows => World.Pick(random, [(BrowserKind.Chrome, 0.62), (BrowserKind.Edge, 0.15), (BrowserKind.Firefox, 0.23)], b => b.Item2).Item1,
            DeviceKind.Mac => World.Pick(random, [(BrowserKind.Safari, 0.5), (BrowserKind.Chrome, 0.4), (BrowserKind.Firefox, 0.1)], b => b.Item2).Item1,
            DeviceKind.Linux => random.NextDouble() < 0.6 ? BrowserKind.Firefox : BrowserKind.Chrome,
            DeviceKind.AndroidPhone => random.NextDouble() < 0.9 ? BrowserKind.Chrome : BrowserKind.Firefox,
            DeviceKind.IPhone => random.NextDouble() < 0.92 ? BrowserKind.Safari : BrowserKind.Chrome,
            DeviceKind.IPad => BrowserKind.Safari,
            _ => BrowserKind.Chrome,
        };
        // Safari moves with the OS, which people update later than browsers; a few devices are never updated.
        var lag = browser == BrowserKind.Safari ? random.Next(0, 60) : random.Next(0, 21);
        DateTimeOffset? frozen = random.NextDouble() < 0.08 ? new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(0, 300)) : null;
        var model = kind == DeviceKind.AndroidTablet ? World.Pick(random, Tablets) : World.Pick(random, Phones);
        return new Device(kind, browser, lag, frozen, model, 9 + random.Next(3));
    }

    public static DeviceKind RandomKind(Random random) => World.Pick(random,
        [(DeviceKind.Windows, 0.33), (DeviceKind.Mac, 0.12), (DeviceKind.Linux, 0.03), (DeviceKind.AndroidPhone, 0.30),
         (DeviceKind.IPhone, 0.18), (DeviceKind.IPad, 0.03), (DeviceKind.AndroidTablet, 0.01)], k => k.Item2).Item1;

    /// <summary>Another device of someone who has <paramref name="first"/>: a phone beside a computer, or a computer beside a phone.</summary>
    public static DeviceKind CompanionKind(Random random, DeviceKind first) => first switch
    {
        DeviceKind.Windows or DeviceKind.Mac or DeviceKind.Linux => World.Pick(random,
            [(DeviceKind.AndroidPhone, 0.48), (DeviceKind.IPhone, 0.32), (DeviceKind.IPad, 0.14), (DeviceKind.AndroidTablet, 0.06)], k => k.Item2).Item1,
        _ => World.Pick(random, [(DeviceKind.Windows, 0.52), (DeviceKind.Mac, 0.2), (DeviceKind.Linux, 0.03), (DeviceKind.IPad, 0.17), (DeviceKind.AndroidTablet, 0.08)], k => k.Item2).Item1,
    };
}
