using System.Globalization;
using Tessera.Domain.Privacy;
using Tessera.Portal.Hosting;
using Tessera.Portal.Http;

namespace Tessera.Portal.Endpoints;

/// <summary>"Download my data": the signed-in person's own JSON file, and an administrator's copy of one user's.</summary>
public static class PersonalDataEndpoints
{
    public static IEndpointRouteBuilder MapPersonalDataExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/security/account/export", OwnAsync).RequireAuthorization();
        endpoints.MapGet("/admin/users/{id}/export", ForUserAsync).RequireAuthorization(AccountsExtensions.AdminPolicy);
        return endpoints;
    }

    // IResult, not typed results: these are downloads a browser follows from a page, so a signed-out visitor is sent to
    // the sign-in page like on every page, where an API endpoint would answer 401.
    private static Task<IResult> OwnAsync(HttpContext http, PersonalDataExport export, TimeProvider time) =>
        FileAsync(http.User.Id(), http.User.Id(), export, time);

    private static Task<IResult> ForUserAsync(string id, HttpContext http, PersonalDataExport export, TimeProvider time) =>
        FileAsync(id, http.User.Id(), export, time);

    private static async Task<IResult> FileAsync(string userId, string actorId, PersonalDataExport export, TimeProvider time)
    {
        var data = await export.ExportAsync(userId, actorId);
        if (data is null)
        {
            return TypedResults.Problem("No account has this id.", statusCode: StatusCodes.Status404NotFound, title: "No such account");
        }
        var name = $"tessera-data-{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json";
        return TypedResults.File(PersonalDataExport.ToJson(data), "application/json", name);
    }
}
