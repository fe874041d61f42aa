using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.SignIn;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Components.Account;

/// <summary>What the two second-factor pages share: finding the pending sign-in, and ending it one way or the other.</summary>
internal sealed class TwoFactorCompletion(
    SignInManager<ApplicationUser> signInManager, AuditLog audit, IdentityRedirectManager redirect, PasswordSignIn passwordSignIn)
{
    /// <summary>The half-way cookie of a sign-in whose password was right and which owes a second factor (5 minutes).</summary>
    public Task StartPendingAsync(HttpContext http, string userId)
    {
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, userId));
        return http.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>
    /// The "remember this browser" cookie, if any: whose it is and the security stamp it was issued under. The sign-in
    /// service honours it only while that stamp is the user's current one, so "sign out everywhere else", a password
    /// reset or an admin's revoke forgets every remembered browser at once.
    /// </summary>
    public async Task<RememberedBrowser?> RememberedBrowserAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(IdentityConstants.TwoFactorRememberMeScheme);
        var principal = result.Principal;
        return principal?.FindFirstValue(ClaimTypes.Name) is { } userId
            ? new RememberedBrowser(userId, principal.FindFirstValue(signInManager.Options.ClaimsIdentity.SecurityStampClaimType))
            : null;
    }

    /// <summary>Issues the cookie of a password-only sign-in, then has it audited: the event exists only if the cookie does.</summary>
    public async Task IssuePasswordAsync(HttpContext http, string userId, bool isPersistent, ClientContext client)
    {
        var user = await signInManager.UserManager.FindByIdAsync(userId) ?? throw new InvalidOperationException("The signed-in user has vanished.");
        http.Items[SessionCookieEvents.MethodItem] = "password";
        await signInManager.SignInWithClaimsAsync(user, isPersistent, [new Claim("amr", PasswordSignIn.PasswordMethod)]);
        await passwordSignIn.SignedInAsync(userId, "password", client);
    }

    public Task<ApplicationUser?> PendingUserAsync() => signInManager.GetTwoFactorAuthenticationUserAsync();

    /// <summary>Issues the sign-in cookie in place of the half-way one, then returns to where the user was going.</summary>
    public async Task SignInAsync(HttpContext http, ApplicationUser user, bool isPersistent, bool rememberBrowser, string method, string? returnUrl)
    {
        await IssueAsync(http, user, isPersistent, rememberBrowser, method);
        redirect.RedirectTo(returnUrl);
    }

    /// <summary>The cookie part of <see cref="SignInAsync"/>, for callers that answer with JSON instead of a redirect.</summary>
    public async Task IssueAsync(HttpContext http, ApplicationUser user, bool isPersistent, bool rememberBrowser, string method)
    {
        await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        http.Items[SessionCookieEvents.MethodItem] = method;
        await signInManager.SignInWithClaimsAsync(user, isPersistent, [new Claim("amr", "mfa")]);
        if (rememberBrowser)
        {
            await signInManager.RememberTwoFactorClientAsync(user);
        }
        await audit.RecordAsync(http, AuditEventTypes.SignIn, AuditOutcome.Success, user.Id, detail: $"with {method}");
    }

    /// <summary>Lockout ends the pending sign-in: the user starts again from the password once the lockout is over.</summary>
    public async Task LockedOutAsync(HttpContext http, ApplicationUser user)
    {
        await EndPendingAsync(http, user);
        redirect.RedirectTo("Account/Lockout");
    }

    public async Task EndPendingAsync(HttpContext http, ApplicationUser user)
    {
        await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await audit.RecordAsync(http, AuditEventTypes.LockedOut, AuditOutcome.Failure, subjectId: user.Id, detail: "too many wrong second-factor attempts");
    }

    public void Expired(HttpContext http) =>
        redirect.RedirectToWithStatus("Account/Login", "Error: Your sign-in took too long or was already used. Please sign in again.", http);

    public static string MessageFor(SecondFactorOutcome outcome, SecondFactorMethod method) => outcome switch
    {
        SecondFactorOutcome.Replayed => "Error: That code was already used. Wait for your app to show the next code and try again.",
        _ when method == SecondFactorMethod.RecoveryCode => "Error: That recovery code is not valid or was already used.",
        _ => "Error: That code is not valid. Check that your device's clock is right and try again.",
    };
}
