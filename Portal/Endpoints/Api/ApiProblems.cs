using Tessera.Domain.Policies;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>
/// Every error of the API as RFC 7807 problem details, with a title that says what went wrong and a detail that says
/// what to do. Security failures stay vague here; the audit log has the precise reason.
/// </summary>
internal static class ApiProblems
{
    public const string AuthenticateHeader = "Bearer realm=\"tessera-api\"";

    public static IResult Unauthorized(HttpContext http, bool keyPresented)
    {
        // RFC 6750: say which scheme to use; name the error only when a key was sent and refused.
        http.Response.Headers.WWWAuthenticate = keyPresented ? AuthenticateHeader + ", error=\"invalid_token\"" : AuthenticateHeader;
        return Results.Problem(
            title: keyPresented ? "The API key is not valid." : "An API key is required.",
            detail: keyPresented
                ? "The key is unknown, malformed or revoked. Ask an administrator for a new key."
                : "Send the key as 'Authorization: Bearer <key>' (or in the 'X-Api-Key' header).",
            statusCode: StatusCodes.Status401Unauthorized);
    }

    public static IResult NotFound() => Results.Problem(
        title: "Verification not found.",
        detail: "No verification with this id belongs to your API client.",
        statusCode: StatusCodes.Status404NotFound);

    public static IResult BadRequest(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request has invalid fields.", detail: "See 'errors' for what to change in each field.");

    public static IResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string title, string detail, string? rule = null)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var extensions = new Dictionary<string, object?> { ["retryAfter"] = seconds };
        if (rule is not null)
        {
            extensions["rule"] = rule;
        }
        return Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status429TooManyRequests, extensions: extensions);
    }

    public static IResult SendRefused(HttpContext http, SendRefusedException refused) =>
        TooManyRequests(http, refused.Decision.RetryAfter, TitleFor(refused.Decision.Rule), refused.Message, refused.Decision.Rule);

    /// <summary>The country rules are spend guards, not counters: saying "too many" would send the caller looking for a loop.</summary>
    private static string TitleFor(string? rule) => rule switch
    {
        Tessera.Domain.Policies.SendRules.CountryNotAllowed => "Text messages to this country are not allowed.",
        Tessera.Domain.Policies.SendRules.DailySmsCap => "The daily text-message limit has been reached.",
        _ => "Too many codes requested.",
    };

    public static IResult Conflict(string title, string detail, string status) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["status"] = status });

    public static IResult Unexpected() => Results.Problem(
        title: "Something went wrong on our side.",
        detail: "The request could not be completed. Try again; if it keeps failing, contact the administrator.",
        statusCode: StatusCodes.Status500InternalServerError);
}
