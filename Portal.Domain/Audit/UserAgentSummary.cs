using System.Text.RegularExpressions;

namespace Tessera.Domain.Audit;

/// <summary>Reduces a User-Agent header to "Browser major on OS": enough to recognise a device, too little to fingerprint it.</summary>
public static partial class UserAgentSummary
{
    public static string? Summarize(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return null;
        }

        var browser = Browser(userAgent);
        var os = OperatingSystem(userAgent);
        return (browser, os) switch
        {
            (null, null) => "Other",
            (null, _) => $"Other on {os}",
            (_, null) => browser,
            _ => $"{browser} on {os}",
        };
    }

    /// <summary>The parts the risk engine compares: browser and its major version, OS, device type; null where unknown.</summary>
    public static UserAgentParts Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return UserAgentParts.Unknown;
        }
        var (browser, major) = BrowserAndMajor(userAgent);
        return new UserAgentParts(browser, major, OperatingSystem(userAgent), DeviceType(userAgent));
    }

    private static string? DeviceType(string ua) =>
        ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("Tablet", StringComparison.Ordinal)
            || (ua.Contains("Android", StringComparison.Ordinal) && !ua.Contains("Mobile", StringComparison.Ordinal)) ? "tablet"
        : ua.Contains("Mobile", StringComparison.Ordinal) || ua.Contains("iPhone", StringComparison.Ordinal) ? "mobile"
        : ua.Contains("bot", StringComparison.OrdinalIgnoreCase) || ua.Contains("curl/", StringComparison.Ordinal) ? "bot"
        : ua.Contains("Windows", StringComparison.Ordinal) || ua.Contains("Mac OS X", StringComparison.Ordinal)
            || ua.Contains("X11", StringComparison.Ordinal) || ua.Contains("CrOS", StringComparison.Ordinal) ? "desktop"
        : null;

    private static string? Browser(string ua) => BrowserAndMajor(ua) is ({ } name, { } major) ? $"{name} {major}" : null;

    private static (string? Name, string? Major) BrowserAndMajor(string ua)
    {
        foreach (var (name, regex) in Browsers)
        {
            var match = regex.Match(ua);
            if (match.Success)
            {
                return (name, match.Groups[1].Value);
            }
        }
        return (null, null);
    }

    private static string? OperatingSystem(string ua) =>
        ua.Contains("Android", StringComparison.Ordinal) ? "Android"
        : ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) ? "iOS"
        : ua.Contains("Windows", StringComparison.Ordinal) ? "Windows"
        : ua.Contains("Mac OS X", StringComparison.Ordinal) ? "macOS"
        : ua.Contains("CrOS", StringComparison.Ordinal) ? "ChromeOS"
        : ua.Contains("Linux", StringComparison.Ordinal) ? "Linux"
        : null;

    // Order matters: Edge and Opera also claim Chrome, Chrome also claims Safari.
    private static readonly (string Name, Regex Regex)[] Browsers =
    [
        ("Edge", EdgeRegex()),
        ("Opera", OperaRegex()),
        ("Firefox", FirefoxRegex()),
        ("Chrome", ChromeRegex()),
        ("Safari", SafariRegex()),
    ];

    [GeneratedRegex(@"Edg(?:e|A|iOS)?/(\d+)")]
    private static partial Regex EdgeRegex();

    [GeneratedRegex(@"OPR/(\d+)")]
    private static partial Regex OperaRegex();

    [GeneratedRegex(@"(?:Firefox|FxiOS)/(\d+)")]
    private static partial Regex FirefoxRegex();

    [GeneratedRegex(@"(?:HeadlessChrome|Chrome|CriOS)/(\d+)")]
    private static partial Regex ChromeRegex();

    [GeneratedRegex(@"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/")]
    private static partial Regex SafariRegex();
}

/// <summary>A User-Agent reduced to what the risk engine compares. Parts are null when the header does not say.</summary>
public sealed record UserAgentParts(string? Browser, string? Major, string? Os, string? DeviceType)
{
    public static readonly UserAgentParts Unknown = new(null, null, null, null);

    /// <summary>"Firefox on Windows": the name a person recognises their device by.</summary>
    public string Name => (Browser, Os) switch
    {
        ({ } b, { } o) => $"{b} on {o}",
        ({ } b, null) => b,
        (null, { } o) => $"A browser on {o}",
        _ => "An unknown browser",
    };
}
