using Tessera.Portal.Http;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Ties the sign-in cookie to a <see cref="UserSession"/> row. Every sign-in (password, second-factor pages, passkey,
/// QR, registration) goes through the cookie scheme's SigningIn event, so this is the one place that starts sessions.
/// </summary>
internal static class SessionCookieEvents
{

    public static async Task SigningInAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity
            || context.Principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return;
        }
        var http = context.HttpContext;
        // Read and dropped here, whatever follows: it is for the session row, not for the cookie.
        context.Properties.Items.Remove(SignInCookies.MethodItem, out var method);
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
                http.Connection.RemoteIpAddress?.ToString(), Method(method, context.Principal), http.RequestAborted);
        }
        identity.AddClaim(new Claim(UserSessions.ClaimType, sessionId));
    }

    /// <summary>
    /// Every request: a cookie whose session was ended (sign-out elsewhere, revoked, a lock, a password reset), expired
    /// or that has none no longer signs in. When the user's security stamp has moved on (a role change, "sign out
    /// everywhere else"), the principal is rebuilt from the database at once, so roles are never older than the request.
    /// </summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var http = context.HttpContext;
        var sessions = http.RequestServices.GetRequiredService<UserSessions>();
        var claims = http.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var check = principal is null ? default
            : await sessions.CheckAsync(principal.FindFirstValue(UserSessions.ClaimType), userId, http.RequestAborted);
        if (!check.Live)
        {
            await RejectAsync(context);
            return;
        }
        if (check.SecurityStamp == principal!.FindFirstValue(claims.SecurityStampClaimType))
        {
            return;
        }
        var signIn = http.RequestServices.GetRequiredService<SignInManager<ApplicationUser>>();
        if (await signIn.UserManager.FindByIdAsync(userId!) is not { } user)
        {
            await RejectAsync(context);
            return;
        }
        var rebuilt = await signIn.CreateUserPrincipalAsync(user);
        if (rebuilt.Identity is ClaimsIdentity identity)
        {
            // The session and how it signed in belong to this cookie, not to the user row.
            foreach (var kept in principal!.Claims.Where(c => c.Type is UserSessions.ClaimType or "amr").ToList())
            {
                identity.AddClaim(new Claim(kept.Type, kept.Value));
            }
        }
        context.ReplacePrincipal(rebuilt);
        context.ShouldRenew = true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }

    public static async Task SigningOutAsync(CookieSigningOutContext context)
    {
        if (context.HttpContext.User.FindFirstValue(UserSessions.ClaimType) is { } sessionId)
        {
            await context.HttpContext.RequestServices.GetRequiredService<UserSessions>().EndAsync(sessionId);
        }
    }

    private static string Method(string? method, ClaimsPrincipal principal) =>
        method ?? principal.FindFirstValue("amr") switch
        {
            "qr" => "QR approval",
            "mfa" => "two factors",
            _ => "password",
        };
}
