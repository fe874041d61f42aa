using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Authentication;
using Tessera.Domain.Accounts;
using Tessera.Domain.SignIn;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Http;
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
        Passkeys passkeys, SignInCookies cookies)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Expired();
        }
        string? userId = null;
        if (request.Mode == SecondFactor)
        {
            var user = await cookies.PendingUserAsync();
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
        SignInService signIn, SignInCookies cookies)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Expired();
        }
        var proof = new PasskeyProof(request.ChallengeId, request.Response);
        SignInDecision result;
        var afterPassword = request.Mode == SecondFactor;
        if (afterPassword)
        {
            var user = await cookies.PendingUserAsync();
            if (user is null)
            {
                return TimedOut();
            }
            result = await signIn.CompleteAsync(user.Id, proof, http.ClientContext(), http.RequestAborted);
        }
        else
        {
            result = await signIn.PasswordlessAsync(proof, http.ClientContext(), http.RequestAborted);
        }

        if (await cookies.ApplyAsync(http, result, isPersistent: false, request.RememberBrowser, afterPassword, request.ReturnUrl) is { } target)
        {
            return Results.Ok(new { redirect = target });
        }
        return result.Step == SignInStep.NotAllowed
            ? Results.Problem("Confirm your email address before signing in.", statusCode: StatusCodes.Status400BadRequest)
            : Refused();
    }

    // Deliberately vague: the audit log has the reason.
    private static IResult Refused() =>
        Results.Problem("That passkey could not sign you in.", statusCode: StatusCodes.Status400BadRequest);

    private static IResult Expired() =>
        Results.Problem("This page has expired. Reload it and try again.", statusCode: StatusCodes.Status400BadRequest);

    private static IResult TimedOut() =>
        Results.Problem("Your sign-in took too long. Start again with your password.", statusCode: StatusCodes.Status401Unauthorized);
}
