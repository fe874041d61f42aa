using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Components.Account;

/// <summary>What the two second-factor pages share: finding the pending sign-in, and ending it one way or the other.</summary>
internal sealed class TwoFactorCompletion(SignInManager<ApplicationUser> signInManager, AuditLog audit, IdentityRedirectManager redirect)
{
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
