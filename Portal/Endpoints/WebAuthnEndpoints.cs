using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Components.Account;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Endpoints;

/// <summary>
/// Passkey sign-in for the statically rendered sign-in pages: they cannot run a circuit, and a circuit cannot set
/// cookies, so the browser's script asks here for options, runs the ceremony, and posts the result back; the
/// response sets the sign-in cookie and names the next page. Registration and step-up run inside the circuit.
/// </summary>
public static class WebAuthnEndpoints
{
    public const string Passwordless = "passwordless";
    public const string SecondFactor = "second-factor";

    public sealed record OptionsRequest(string Mode);

    public sealed record AssertionRequest(string Mode, Guid ChallengeId, string Response, string? ReturnUrl, bool RememberBrowser);

    public static IEndpointRouteBuilder MapWebAuthn(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/webauthn");
        group.MapPost("/assertion/options", BeginAsync);
        group.MapPost("/assertion", CompleteAsync);
        return endpoints;
    }

    private static async Task<IResult> BeginAsync(HttpContext http, OptionsRequest request, IAntiforgery antiforgery,
        Passkeys passkeys, SignInManager<ApplicationUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Expired();
        }
        string? userId = null;
        if (request.Mode == SecondFactor)
        {
            var user = await signIn.GetTwoFactorAuthenticationUserAsync();
            if (user is null)
            {
                return TimedOut();
            }
            userId = user.Id;
        }
        else if (request.Mode != Passwordless)
        {
            return Results.Problem("Unknown passkey sign-in mode.", statusCode: StatusCodes.Status400BadRequest);
        }
        var start = await passkeys.BeginAssertionAsync(userId, http.RequestAborted);
        return Results.Ok(new { challengeId = start.ChallengeId, options = start.OptionsJson });
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, AssertionRequest request, IAntiforgery antiforgery,
        Passkeys passkeys, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users,
        FailedAttempts attempts, AuditLog audit, TwoFactorCompletion completion)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Expired();
        }
        var next = ReturnUrls.LocalOrDefault(request.ReturnUrl);

        if (request.Mode == SecondFactor)
        {
            var user = await signIn.GetTwoFactorAuthenticationUserAsync();
            if (user is null)
            {
                return TimedOut();
            }
            if (!await attempts.TryReserveAsync(user.Id))
            {
                await completion.EndPendingAsync(http, user);
                return Results.Ok(new { redirect = "/Account/Lockout" });
            }
            var result = await passkeys.CompleteAssertionAsync(request.ChallengeId, request.Response, user.Id, http.RequestAborted);
            if (!result.Succeeded)
            {
                if (await attempts.IsLockedOutAsync(user.Id))
                {
                    await completion.EndPendingAsync(http, user);
                    return Results.Ok(new { redirect = "/Account/Lockout" });
                }
                return Refused();
            }
            await attempts.SucceededAsync(user.Id);
            await completion.IssueAsync(http, user, isPersistent: false, request.RememberBrowser, "password and passkey");
            return Results.Ok(new { redirect = next });
        }

        var verified = await passkeys.CompleteAssertionAsync(request.ChallengeId, request.Response, expectedUserId: null, http.RequestAborted);
        var owner = verified is { Succeeded: true, UserId: { } id } ? await users.FindByIdAsync(id) : null;
        if (owner is null)
        {
            await audit.RecordAsync(http, AuditEventTypes.SignIn, AuditOutcome.Failure, detail: $"passkey: {verified.Error ?? "no such user"}");
            return Refused();
        }
        if (await users.IsLockedOutAsync(owner))
        {
            await audit.RecordAsync(http, AuditEventTypes.LockedOut, AuditOutcome.Failure, subjectId: owner.Id, detail: "passkey sign-in refused while locked out");
            return Results.Ok(new { redirect = "/Account/Lockout" });
        }
        if (!await signIn.CanSignInAsync(owner))
        {
            return Results.Problem("Confirm your email address before signing in.", statusCode: StatusCodes.Status400BadRequest);
        }
        // A user-verified passkey is something you have plus a PIN or biometric: no second step is asked for.
        await completion.IssueAsync(http, owner, isPersistent: false, rememberBrowser: false, "passkey, passwordless");
        return Results.Ok(new { redirect = next });
    }

    // Deliberately vague: the audit log has the reason.
    private static IResult Refused() =>
        Results.Problem("That passkey could not sign you in.", statusCode: StatusCodes.Status400BadRequest);

    private static IResult Expired() =>
        Results.Problem("This page has expired. Reload it and try again.", statusCode: StatusCodes.Status400BadRequest);

    private static IResult TimedOut() =>
        Results.Problem("Your sign-in took too long. Start again with your password.", statusCode: StatusCodes.Status401Unauthorized);
}
