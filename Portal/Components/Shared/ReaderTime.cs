using System.Globalization;

namespace Tessera.Portal.Components.Shared;

/// <summary>
/// The reader's time zone, which app.js keeps in a cookie (an IANA id such as Europe/London) so that the server renders
/// times in it from the first byte, and how a past instant reads: "3 minutes ago", or the local date and time.
/// </summary>
public static class ReaderTime
{
    public const string CookieName = "tessera-tz";

    /// <summary>The zone a cookie names; UTC when it names none this server knows.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        id = id is not null && id.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(id) : id;
        if (!string.IsNullOrWhiteSpace(id) && id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }
        return TimeZoneInfo.Utc;
    }

    /// <summary>"just now", "5 minutes ago", "3 hours ago", or for older instants the date and time in the zone.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now, TimeZoneInfo zone)
    {
        var ago = now - at;
        if (ago < TimeSpan.FromMinutes(1))
        {
            return "just now";
        }
        if (ago < TimeSpan.FromHours(1))
        {
            var minutes = (int)ago.TotalMinutes;
            return minutes == 1 ? "1 minute ago" : $"{minutes} minutes ago";
        }
        if (ago < TimeSpan.FromHours(24))
        {
            var hours = (int)ago.TotalHours;
            return hours == 1 ? "1 hour ago" : $"{hours} hours ago";
        }
        return Local(at, zone);
    }

    /// <summary>"1 Dec 2026, 14:05" in the zone, with the zone's abbreviation when it is UTC.</summary>
    public static string Local(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var text = local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        return zone == TimeZoneInfo.Utc ? text + " UTC" : text;
    }

    /// <summary>The exact instant in UTC, for a tooltip.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A duration as a sentence says it: "1 hour", "90 minutes", "1 day".</summary>
    public static string Span(TimeSpan span)
    {
        static string Unit(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
        if (span.TotalDays >= 1 && span.TotalDays % 1 == 0)
        {
            return Unit((int)span.TotalDays, "day");
        }
        if (span.TotalHours >= 1 && span.TotalHours % 1 == 0)
        {
            return Unit((int)span.TotalHours, "hour");
        }
        return Unit((int)Math.Ceiling(span.TotalMinutes), "minute");
    }
}
