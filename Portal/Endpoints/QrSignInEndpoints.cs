using Tessera.Domain.CrossDevice;
using Tessera.Domain.SignIn;
using Tessera.Portal.Http;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Endpoints;

/// <summary>
/// The laptop's half of QR sign-in over plain HTTP: its page polls the status, then redeems the approval here,
/// because a cookie can only be set by an HTTP response, not from a Blazor circuit.
/// </summary>
public static class QrSignInEndpoints
{
    public static IEndpointRouteBuilder MapQrSignIn(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/qr/sessions").AllowAnonymous();
        group.MapGet("/{id:guid}", StatusAsync);
        group.MapGet("/{id:guid}/redeem", RedeemAsync);
        return endpoints;
    }

    private static async Task<IResult> StatusAsync(Guid id, HttpContext http, QrSignIn qr)
    {
        var status = await qr.StatusAsync(id, http.Request.Cookies[QrSignInCookie.Name], http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        // Another browser's session is indistinguishable from a missing one.
        return status is null
            ? Results.Problem("This sign-in code is not for this browser. Start again.", statusCode: StatusCodes.Status404NotFound)
            : Results.Ok(new { status = status.Value.ToString().ToLowerInvariant() });
    }

    private static async Task<IResult> RedeemAsync(Guid id, string? returnUrl, HttpContext http, SignInService signIn, SignInCookies cookies)
    {
        var nonce = http.Request.Cookies[QrSignInCookie.Name];
        http.Response.Cookies.Delete(QrSignInCookie.Name, new CookieOptions { Path = QrSignInCookie.SessionPath(id) });
        // The phone was signed in (with its own factors) and the user matched the number: that approval is the sign-in.
        var result = await signIn.PasswordlessAsync(new QrApprovalProof(id, nonce), http.ClientContext(), http.RequestAborted);
        if (await cookies.ApplyAsync(http, result, isPersistent: false, rememberBrowser: false, afterPassword: false, returnUrl) is { } target)
        {
            return Results.Redirect(target);
        }
        // An unconfirmed email is not a lockout: the lockout page would blame failed attempts. Anything else is vague on
        // purpose: the audit log says whether it was the cookie, the status or the clock.
        return Results.Redirect(QrPage(result.Step == SignInStep.NotAllowed ? "unconfirmed" : "refused", returnUrl));
    }

    /// <summary>The QR page again, with the error, still carrying the return URL (only ever a path of this site).</summary>
    private static string QrPage(string error, string? returnUrl) => string.IsNullOrWhiteSpace(returnUrl)
        ? $"/signin/qr?error={error}"
        : $"/signin/qr?error={error}&returnUrl={Uri.EscapeDataString(ReturnUrls.LocalOrDefault(returnUrl))}";
}
