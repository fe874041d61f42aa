using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Domain.Accounts;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Factors.Push;
using Tessera.Domain.SignIn;
using Tessera.Portal.Hosting;
using Tessera.Portal.Http;

namespace Tessera.Portal.Endpoints;

/// <summary>
/// Web Push over plain HTTP: the security center's script registers a push subscription here; a signing-in browser
/// polls its pushed request and redeems the approval here, because a cookie can only be set by an HTTP response.
/// </summary>
public static class PushEndpoints
{
    public sealed record SubscriptionKeys(string? P256dh, string? Auth);

    /// <summary>The browser's <c>PushSubscription.toJSON()</c>, plus the device's name and a step-up proof when one is owed.</summary>
    public sealed record SubscriptionRequest(string? Endpoint, SubscriptionKeys? Keys, string? Name, string? StepUp);

    public sealed record SubscriptionResponse(Guid? Id, string Outcome, IReadOnlyList<string>? RecoveryCodes);

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/security/push/subscriptions", RegisterAsync).RequireAuthorization().DisableAntiforgery().ExcludeFromDescription();
        var approvals = endpoints.MapGroup("/push/approvals").AllowAnonymous().ExcludeFromDescription();
        approvals.MapGet("/{id:guid}", StatusAsync);
        approvals.MapGet("/{id:guid}/redeem", RedeemAsync);
        return endpoints;
    }

    // Antiforgery is checked here, in the header the script sends, rather than by the form-only middleware.
    private static async Task<Results<Created<SubscriptionResponse>, Ok<SubscriptionResponse>, ProblemHttpResult>> RegisterAsync(
        HttpContext http, SubscriptionRequest? request, IAntiforgery antiforgery, PushDevices devices, StepUpProofs proofs)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem("This page has expired. Reload it and try again.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (request is null)
        {
            return TypedResults.Problem("Send the push subscription as JSON: {endpoint, keys: {p256dh, auth}}.", statusCode: StatusCodes.Status400BadRequest);
        }
        var userId = http.User.Id();
        var result = await devices.RegisterAsync(userId, new PushSubscriptionInput(request.Endpoint, request.Keys?.P256dh, request.Keys?.Auth),
            request.Name, http.Request.Headers.UserAgent.ToString(), StepUpProof.Carried(proofs, request.StepUp), http.RequestAborted);
        var body = new SubscriptionResponse(result.Id, result.Outcome.ToString().ToLowerInvariant(), result.FirstRecoveryCodes);
        return result.Outcome switch
        {
            PushRegistrationOutcome.Added => TypedResults.Created($"/security/devices#{result.Id}", body),
            PushRegistrationOutcome.Updated => TypedResults.Ok(body),
            PushRegistrationOutcome.TooMany => TypedResults.Problem("You have as many push devices as you can. Remove one first.", statusCode: StatusCodes.Status409Conflict),
            PushRegistrationOutcome.StepUpRequired => TypedResults.Problem("Confirm it is you before adding another way to sign in.", statusCode: StatusCodes.Status403Forbidden),
            _ => TypedResults.Problem(result.Error ?? "That push subscription cannot be used.", statusCode: StatusCodes.Status400BadRequest),
        };
    }

    private static async Task<IResult> StatusAsync(Guid id, HttpContext http, PushApprovals approvals)
    {
        var status = await approvals.StatusAsync(id, http.Request.Cookies[PushApprovalCookie.Name], http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        // Another browser's request is indistinguishable from a missing one.
        return status is null
            ? Results.Problem("This request is not for this browser. Start again.", statusCode: StatusCodes.Status404NotFound)
            : Results.Ok(new { status = status.Value.ToString().ToLowerInvariant() });
    }

    private static async Task<IResult> RedeemAsync(Guid id, string? returnUrl, bool? rememberMe, bool? rememberBrowser, string? mode, HttpContext http,
        SignInService signIn, SignInCookies cookies)
    {
        var nonce = http.Request.Cookies[PushApprovalCookie.Name];
        http.Response.Cookies.Delete(PushApprovalCookie.Name, new CookieOptions { Path = PushApprovalCookie.RequestPath(id) });
        if (mode == "passwordless")
        {
            // The QR page's alternative: the approval is the whole sign-in, as a QR approval is.
            var signedIn = await signIn.PasswordlessAsync(new PushApprovalProof(id, nonce), http.ClientContext(), http.RequestAborted);
            return Results.Redirect(await cookies.ApplyAsync(http, signedIn, isPersistent: false, rememberBrowser: false, afterPassword: false, returnUrl)
                ?? $"/signin/push?error={(signedIn.Step == SignInStep.NotAllowed ? "unconfirmed" : "refused")}&returnUrl={Uri.EscapeDataString(ReturnUrls.LocalOrDefault(returnUrl))}");
        }
        if (await cookies.PendingUserAsync() is not { } user)
        {
            return Results.Redirect("/Account/Login");
        }
        var result = await signIn.CompleteAsync(user.Id, new PushApprovalProof(id, nonce), http.ClientContext(), http.RequestAborted);
        if (await cookies.ApplyAsync(http, result, rememberMe == true, rememberBrowser == true, afterPassword: true, returnUrl) is { } target)
        {
            return Results.Redirect(target);
        }
        // Vague on purpose: the audit log says whether it was the cookie, the status or the clock.
        return Results.Redirect($"/Account/LoginWith2fa?returnUrl={Uri.EscapeDataString(ReturnUrls.LocalOrDefault(returnUrl))}&rememberMe={rememberMe == true}&push=refused");
    }
}
