using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Ties the sign-in cookie to a <see cref="UserSession"/> row. Every sign-in (password, second-factor pages, passkey,
/// QR, registration) goes through the cookie scheme's SigningIn event, so this is the one place that starts sessions.
/// </summary>
internal static class SessionCookieEvents
{
    /// <summary>Set by a sign-in page before issuing the cookie, to name how the user signed in.</summary>
    public const string MethodItem = "tessera.sign-in-method";

    public static async Task SigningInAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity
            || context.Principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return;
        }
        var http = context.HttpContext;
        var sessions = http.RequestServices.GetRequiredService<UserSessions>();
        foreach (var stale in identity.FindAll(UserSessions.ClaimType).ToList())
        {
            identity.RemoveClaim(stale);
        }

        // A refresh (RefreshSignInAsync after a password or factor change) re-issues the cookie of a live session:
        // it stays the same session. A sign-in over another user's cookie ends that user's session.
        var current = http.User.FindFirstValue(UserSessions.ClaimType);
        string sessionId;
        if (current is not null && http.User.FindFirstValue(ClaimTypes.NameIdentifier) == userId
            && await sessions.ValidateAsync(current, userId, http.RequestAborted))
        {
            sessionId = current;
        }
        else
        {
            if (current is not null)
            {
                await sessions.EndAsync(current, http.RequestAborted);
            }
            sessionId = await sessions.StartAsync(userId, http.Request.Headers.UserAgent.ToString(),
                http.Connection.RemoteIpAddress?.ToString(), Method(http, context.Principal), http.RequestAborted);
        }
        identity.AddClaim(new Claim(UserSessions.ClaimType, sessionId));
    }

    /// <summary>A cookie whose session was ended (sign-out elsewhere, revoked, expired) or that has none no longer signs in.</summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<UserSessions>();
        if (principal is null || !await sessions.ValidateAsync(principal.FindFirstValue(UserSessions.ClaimType),
                principal.FindFirstValue(ClaimTypes.NameIdentifier), context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    public static async Task SigningOutAsync(CookieSigningOutContext context)
    {
        if (context.HttpContext.User.FindFirstValue(UserSessions.ClaimType) is { } sessionId)
        {
            await context.HttpContext.RequestServices.GetRequiredService<UserSessions>().EndAsync(sessionId);
        }
    }

    /// <summary>The security-stamp check rebuilds the principal every 30 minutes: the session claim must survive it.</summary>
    public static Task RefreshingPrincipalAsync(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.CurrentPrincipal?.FindFirst(UserSessions.ClaimType) is { } claim
            && context.NewPrincipal?.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == UserSessions.ClaimType))
        {
            identity.AddClaim(new Claim(UserSessions.ClaimType, claim.Value));
        }
        return Task.CompletedTask;
    }

    private static string Method(HttpContext http, ClaimsPrincipal principal) =>
        http.Items[MethodItem] as string ?? principal.FindFirstValue("amr") switch
        {
            "qr" => "QR approval",
            "mfa" => "two factors",
            _ => "password",
        };
}
