using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.SignIn;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Http;

/// <summary>
/// The one helper between the sign-in service and HTTP: it turns a <see cref="SignInDecision"/> into cookies and a
/// redirect. It decides nothing; <see cref="SignInService"/> has already decided.
/// </summary>
internal sealed class SignInCookies(SignInManager<ApplicationUser> signInManager, SignInService signIn, IdentityRedirectManager redirect)
{
    /// <summary>
    /// The authentication property that tells the cookie being issued how the user signed in, for its session row;
    /// read and removed when the session starts, so it never rides in the cookie.
    /// </summary>
    public const string MethodItem = "tessera.sign-in-method";

    public static AuthenticationProperties PropertiesFor(string method, bool isPersistent) =>
        new(new Dictionary<string, string?> { [MethodItem] = method }) { IsPersistent = isPersistent };

    private const string PendingStampClaim = "tessera.pending-stamp";

    /// <summary>
    /// The user of the half-way cookie, while their security stamp is the one it was issued under: a password change, a
    /// reset or "This wasn't me" ends every sign-in still waiting for its second step.
    /// </summary>
    public async Task<ApplicationUser?> PendingUserAsync()
    {
        var pending = (await signInManager.Context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme)).Principal;
        var stamp = pending?.FindFirstValue(PendingStampClaim);
        var user = pending?.FindFirstValue(ClaimTypes.Name) is { } userId ? await signInManager.UserManager.FindByIdAsync(userId) : null;
        return user is not null && stamp is not null && stamp == user.SecurityStamp ? user : null;
    }

    /// <summary>The half-way cookie of a sign-in whose password was right and which owes a second factor (5 minutes).</summary>
    public async Task StartPendingAsync(HttpContext http, string userId)
    {
        var user = await signInManager.UserManager.FindByIdAsync(userId) ?? throw new InvalidOperationException("The user has vanished.");
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, userId));
        identity.AddClaim(new Claim(PendingStampClaim, user.SecurityStamp ?? ""));
        await http.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>
    /// Issues the sign-in cookie of a <see cref="SignInStep.Done"/> result in place of any half-way one, then has the
    /// sign-in audited: the event exists only if the cookie does.
    /// </summary>
    public async Task IssueAsync(HttpContext http, SignInDecision result, bool isPersistent, bool rememberBrowser, bool afterPassword)
    {
        if (result is not { Step: SignInStep.Done, UserId: { } userId, Method: { } method })
        {
            throw new InvalidOperationException("Only a finished sign-in gets a cookie.");
        }
        var user = await signInManager.UserManager.FindByIdAsync(userId) ?? throw new InvalidOperationException("The signed-in user has vanished.");
        await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signInManager.SignInWithClaimsAsync(user, PropertiesFor(SignInMethods.Describe(method, afterPassword), isPersistent),
            [new Claim("amr", AmrOf(method))]);
        // "Remember this device" (a known device, trusted while the risk score allows it) replaces Identity's
        // remember-browser cookie, which skipped the second factor whatever the sign-in looked like.
        await signIn.SignedInAsync(userId, SignInMethods.Describe(method, afterPassword), http.ClientContext(), rememberDevice: rememberBrowser && afterPassword);
    }

    /// <summary>
    /// The one mapping from a decision to the browser, for every page and endpoint: done issues the cookie and goes to
    /// enrolment (past the MFA policy's deadline without a factor) or the local return URL; locked out ends any pending
    /// sign-in and goes to the lockout page, told why. Null for anything else, which is the caller's to say.
    /// </summary>
    public async Task<string?> ApplyAsync(HttpContext http, SignInDecision result, bool isPersistent, bool rememberBrowser, bool afterPassword, string? returnUrl)
    {
        switch (result.Step)
        {
            case SignInStep.Done:
                await IssueAsync(http, result, isPersistent, rememberBrowser, afterPassword);
                return result.EnrolFirst ? MfaRequirement.EnrolmentPath : ReturnUrls.LocalOrDefault(returnUrl);
            case SignInStep.Denied:
                await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
                return DeniedUrl;
            case SignInStep.LockedOut:
                // Lockout ends the pending sign-in: the user starts again from the password once it is over.
                await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
                return LockoutUrl(result);
            default:
                return null;
        }
    }

    /// <summary>The statically rendered pages' ending of a step (<see cref="ApplyAsync"/>, then the redirect); false when it is the page's to say.</summary>
    public async Task<bool> FinishAsync(HttpContext http, SignInDecision result, bool isPersistent, bool rememberBrowser, bool afterPassword, string? returnUrl)
    {
        if (await ApplyAsync(http, result, isPersistent, rememberBrowser, afterPassword, returnUrl) is not { } target)
        {
            return false;
        }
        redirect.RedirectTo(target);
        return true;
    }

    /// <summary>
    /// The lockout page, told why and until when. The query holds only what the page shows anyway, and an unknown
    /// address reaches it after as many tries, with its own "until".
    /// </summary>
    public static string LockoutUrl(SignInDecision result) => result.Lockout == LockoutReason.Administrator
        ? "/Account/Lockout?reason=admin"
        : result.LockedUntil is { } until ? $"/Account/Lockout?until={until.ToUnixTimeSeconds()}" : "/Account/Lockout";

    /// <summary>The page a sign-in the risk engine refused goes to; it says what the person can do, not why (that is in the audit log).</summary>
    public const string DeniedUrl = "/Account/Lockout?reason=unusual";

    public void Expired(HttpContext http) =>
        redirect.RedirectToWithStatus("Account/Login", "Error: Your sign-in took too long or was already used. Please sign in again.", http);

    /// <summary>The page's words for a refused second step, with the attempts left once 2 or fewer remain.</summary>
    public static string MessageFor(SignInDecision result, bool recoveryCode = false)
    {
        var text = result.Refusal switch
        {
            RefusalKind.Replayed => "Error: That code was already used. Wait for your app to show the next code and try again.",
            RefusalKind.NeedsNewCode => "Error: That code can no longer be used. Send a new code and enter the new one.",
            _ when recoveryCode => "Error: That recovery code is not valid or was already used.",
            _ when result.CodeAttemptsLeft is { } codeLeft => $"Error: That code is not valid. Check the latest message and try again ({codeLeft} {(codeLeft == 1 ? "try" : "tries")} left for this code).",
            _ => "Error: That code is not valid. Check that your device's clock is right and try again.",
        };
        return result.AttemptsLeft is { } left ? $"{text} {AttemptsLeftText(left)}" : text;
    }

    public static string AttemptsLeftText(int left) =>
        left == 1 ? "1 attempt left before your account is locked for a while." : $"{left} attempts left before your account is locked for a while.";

    /// <summary>The cookie's amr claim: a password alone, a QR approval, or more than one factor.</summary>
    private static string AmrOf(string method) => method switch
    {
        SignInMethods.QrApproval => "qr",
        SignInMethods.Password or SignInMethods.RememberedDevice or SignInMethods.Registration => "pwd",
        _ => "mfa",
    };
}
