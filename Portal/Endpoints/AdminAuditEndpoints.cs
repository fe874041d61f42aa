using System.Globalization;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Portal.Hosting;
using Tessera.Portal.Http;

namespace Tessera.Portal.Endpoints;

/// <summary>The audit log's exports (CSV of a filter, or the verifiable JSON lines of the whole chain); the page itself is a component at /admin/audit.</summary>
public static class AdminAuditEndpoints
{
    public static IEndpointRouteBuilder MapAdminAudit(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup("/admin/audit").RequireAuthorization(AccountsExtensions.AdminPolicy);
        audit.MapGet("/export", ExportAsync);
        audit.MapGet("/public-key", async (AuditCheckpoints checkpoints, CancellationToken cancellationToken) =>
            Results.Text((await checkpoints.PublicKeyAsync(cancellationToken)).Pem, "application/x-pem-file"));
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(
        HttpContext http, AuditSearch search, AuditLog audit, UserDirectory users, IpPseudonymizer pseudonymizer, AuditPseudonyms subjects,
        AuditExport chain, TimeProvider time)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        switch (http.Request.Query["format"].ToString())
        {
            case "" or "csv":
                break;
            case "jsonl":
                // The whole chain with its hash inputs and checkpoints: a filtered part could not be verified.
                await audit.RecordAsync(http, AuditEventTypes.AuditExported, AuditOutcome.Success,
                    actorId: http.User.Id(), detail: "format=jsonl; whole chain with checkpoints");
                return Results.Stream(stream => chain.WriteAsync(stream, http.RequestAborted),
                    "application/jsonl; charset=utf-8", $"tessera-audit-{stamp}.jsonl");
            default:
                return Results.Problem("format must be csv (the default) or jsonl.", statusCode: StatusCodes.Status400BadRequest,
                    title: "The export format is unknown.");
        }

        var query = AuditQuery.FromQueryString(http.Request.Query);
        var (filter, error) = await query.ToFilterAsync(users);
        if (filter is null)
        {
            return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "The export filter is invalid.");
        }

        // Recorded before the first row leaves: an export cut short still copied data out, and must still show.
        await audit.RecordAsync(http, AuditEventTypes.AuditExported, AuditOutcome.Success,
            actorId: http.User.Id(), detail: await DescribeAsync(filter, pseudonymizer, subjects));

        var fileName = $"tessera-audit-{stamp}.csv";
        return Results.Stream(
            stream => AuditCsv.WriteAsync(stream, search.StreamAsync(filter, cancellationToken: http.RequestAborted), http.RequestAborted),
            "text/csv; charset=utf-8",
            fileName);
    }

    /// <summary>The filter for the audit detail, with the address and the user as their pseudonyms: neither is stored raw.</summary>
    private static async Task<string> DescribeAsync(AuditFilter filter, IpPseudonymizer pseudonymizer, AuditPseudonyms subjects)
    {
        var parts = new List<string>();
        if (filter.From is { } from)
        {
            parts.Add($"from={from.UtcDateTime:O}");
        }
        if (filter.To is { } to)
        {
            parts.Add($"to={to.UtcDateTime:O}");
        }
        if (filter.Type is { } type)
        {
            parts.Add($"type={type}");
        }
        if (filter.SubjectId is { } subject)
        {
            parts.Add($"subject={await subjects.ForSearchingAsync(subject)}");
        }
        if (filter.Outcome is { } outcome)
        {
            parts.Add($"outcome={outcome}");
        }
        if (await pseudonymizer.PseudonymizeAsync(filter.IpAddress) is { } ip)
        {
            parts.Add($"ip={ip}");
        }
        return parts.Count == 0 ? "filter=none" : string.Join(' ', parts);
    }
}
