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

    private static string? Browser(string ua)
    {
        foreach (var (name, regex) in Browsers)
        {
            var match = regex.Match(ua);
            if (match.Success)
            {
                return $"{name} {match.Groups[1].Value}";
            }
        }
        return null;
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
