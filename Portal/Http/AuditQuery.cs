using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http.Extensions;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Http;

/// <summary>
/// The audit filters as the admin typed them, shared by the page's form and the export's query string so that an
/// export returns exactly what the grid shows.
/// </summary>
public sealed class AuditQuery
{
    public string? From { get; set; }

    public string? To { get; set; }

    public string? Type { get; set; }

    /// <summary>An email address or a user id.</summary>
    public string? Subject { get; set; }

    public string? Outcome { get; set; }

    public string? Ip { get; set; }

    public static AuditQuery FromQueryString(IQueryCollection query) => new()
    {
        From = query["from"],
        To = query["to"],
        Type = query["type"],
        Subject = query["subject"],
        Outcome = query["outcome"],
        Ip = query["ip"],
    };

    public string ToQueryString()
    {
        var builder = new QueryBuilder();
        Add(builder, "from", From);
        Add(builder, "to", To);
        Add(builder, "type", Type);
        Add(builder, "subject", Subject);
        Add(builder, "outcome", Outcome);
        Add(builder, "ip", Ip);
        return builder.ToQueryString().Value ?? "";
    }

    /// <summary>The domain filter, or a message for the admin naming the field that cannot be read.</summary>
    public async Task<(AuditFilter? Filter, string? Error)> ToFilterAsync(UserDirectory users)
    {
        if (!TryParseTime(From, out var from))
        {
            return (null, "From is not a date and time, such as 2026-03-01T09:00 (UTC).");
        }
        if (!TryParseTime(To, out var to))
        {
            return (null, "To is not a date and time, such as 2026-03-01T18:00 (UTC).");
        }
        if (from is { } start && to is { } end && end <= start)
        {
            return (null, "To must be after From.");
        }
        AuditOutcome? outcome = null;
        if (!string.IsNullOrWhiteSpace(Outcome))
        {
            // Names only: Enum.TryParse would also take numbers.
            if (!Enum.GetNames<AuditOutcome>().Contains(Outcome.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                return (null, $"Outcome must be {string.Join(" or ", Enum.GetNames<AuditOutcome>())}.");
            }
            outcome = Enum.Parse<AuditOutcome>(Outcome.Trim(), ignoreCase: true);
        }
        if (!string.IsNullOrWhiteSpace(Ip) && !IPAddress.TryParse(Ip.Trim(), out _))
        {
            return (null, "IP address is not an IPv4 or IPv6 address.");
        }

        string? subjectId = null;
        if (!string.IsNullOrWhiteSpace(Subject))
        {
            // An unknown email or id is kept as typed: it matches nothing, or the events of a user since deleted.
            subjectId = await users.FindIdAsync(Subject.Trim()) ?? Subject.Trim();
        }
        return (new AuditFilter(from, to, Blank(Type), subjectId, outcome, Blank(Ip)), null);
    }

    private static bool TryParseTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        // Times without an offset are UTC: the page labels them so, and the log records UTC.
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }
        return false;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Add(QueryBuilder builder, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            builder.Add(name, value.Trim());
        }
    }
}
