using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Audit;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Accounts;

/// <param name="Errors">Why nothing changed, each fit to show under the form.</param>
public sealed record AccountChange(bool Succeeded, IReadOnlyList<string> Errors, int OtherSessionsEnded = 0)
{
    public static AccountChange Failed(params string[] errors) => new(false, errors);
}

/// <param name="InvalidLink">The link was used, expired, for another account, or there is no such account: one answer for all.</param>
public sealed record PasswordResetResult(bool Succeeded, IReadOnlyList<string> Errors, bool InvalidLink = false);

/// <param name="Token">For the confirmation link to the new address; null when nothing is to be sent.</param>
public sealed record EmailChangeRequest(bool Accepted, IReadOnlyList<string> Errors, string? Token = null, string? NewAddress = null);

/// <summary>
/// The account basics a signed-in user changes themselves: the password and the email address. Each re-proves the
/// current password first, counted against the account's one failure budget (a stolen session must not guess it
/// freely), and each is audited and told to the owner by email.
/// </summary>
public sealed class AccountSettings(
    UserManager<ApplicationUser> users, FailedAttempts attempts, UserSessions sessions, SecurityNotices notices, AuditLog audit)
{
    private const string WrongPassword = "Your current password is not right.";
    private const string TooManyTries = "Too many wrong passwords: try again once the lockout is over.";

    /// <summary>
    /// "Sign out everywhere else", also behind the activity feed's "Wasn't you? Secure your account": every session but
    /// the caller's ends at its next request on every node, every remembered browser is forgotten, and it is audited
    /// and emailed.
    /// </summary>
    /// <param name="why">How the person asked, for the audit detail ("sessions page", "activity feed").</param>
    public async Task<int> SignOutOtherSessionsAsync(string userId, string? currentSessionId, string why, CancellationToken cancellationToken = default)
    {
        // Without a session of its own (an old cookie) the caller keeps nothing: "" matches no session.
        var ended = await sessions.RevokeAllExceptAsync(userId, currentSessionId ?? "", cancellationToken);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.OtherSessionsEnded, AuditOutcome.Success, userId, userId,
            Detail: $"sessions={ended}; from the {why}"), cancellationToken);
        if (ended > 0)
        {
            await notices.OtherSessionsSignedOutAsync(userId, ended, cancellationToken);
        }
        return ended;
    }

    /// <param name="currentSessionId">The session making the change, which stays signed in.</param>
    /// <param name="signOutOthers">Whether every other session of the user ends at its next request.</param>
    public async Task<AccountChange> ChangePasswordAsync(
        string userId, string currentPassword, string newPassword, bool signOutOthers, string? currentSessionId, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AccountChange.Failed("Your account no longer exists.");
        }
        // The new password's rules first: a weak choice must not cost a failure of the budget.
        var rules = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            rules.AddRange((await validator.ValidateAsync(users, user, newPassword)).Errors.Select(e => e.Description));
        }
        if (rules.Count > 0)
        {
            return new AccountChange(false, rules);
        }
        if (await ReprovedAsync(user, currentPassword, AuditEventTypes.PasswordChanged, cancellationToken) is { } refused)
        {
            return refused;
        }
        // Identity rotates the security stamp: remembered browsers and pending sign-ins are forgotten.
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            return new AccountChange(false, result.Errors.Select(e => e.Description).ToList());
        }
        var ended = signOutOthers ? await sessions.RevokeAllExceptAsync(userId, currentSessionId ?? "", cancellationToken) : 0;
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasswordChanged, AuditOutcome.Success, userId, userId,
            Detail: signOutOthers ? $"other sessions ended={ended}" : "other sessions kept"), cancellationToken);
        await notices.PasswordChangedAsync(userId, signOutOthers, cancellationToken);
        return new AccountChange(true, [], ended);
    }

    /// <summary>
    /// Starts a change of address: the new one must confirm it (the token goes into a link sent there, valid 24 hours,
    /// used once); until then the old address stays in force, and its owner is told at once. An address that belongs
    /// to another account gets the same answer and no link, so the form tells nobody who is registered.
    /// </summary>
    public async Task<EmailChangeRequest> RequestEmailChangeAsync(string userId, string currentPassword, string? newAddress, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { Email: { } oldAddress } user)
        {
            return new EmailChangeRequest(false, ["Your account no longer exists."]);
        }
        if (EmailAddresses.Normalize(newAddress?.Trim()) is not { } address)
        {
            return new EmailChangeRequest(false, ["Enter an email address such as name@example.com."]);
        }
        if (string.Equals(address, oldAddress, StringComparison.OrdinalIgnoreCase))
        {
            return new EmailChangeRequest(false, ["That is already your address."]);
        }
        if (await ReprovedAsync(user, currentPassword, AuditEventTypes.EmailChangeRequested, cancellationToken) is { } refused)
        {
            return new EmailChangeRequest(false, refused.Errors);
        }
        await notices.EmailChangeRequestedAsync(userId, oldAddress, EmailAddresses.Mask(address), cancellationToken);
        if (await users.FindByEmailAsync(address) is not null)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.EmailChangeRequested, AuditOutcome.Failure, userId, userId,
                Detail: "address belongs to another account; no link sent"), cancellationToken);
            return new EmailChangeRequest(true, [], null, address);
        }
        var token = await users.GenerateChangeEmailTokenAsync(user, address);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.EmailChangeRequested, AuditOutcome.Success, userId, userId,
            Detail: $"to={EmailAddresses.Mask(address)}"), cancellationToken);
        return new EmailChangeRequest(true, [], token, address);
    }

    /// <summary>
    /// Follows the link sent to the new address: the address changes (and the sign-in name with it) only if the token
    /// is this user's, for this address, unexpired and unused (the change rotates the stamp, which voids it).
    /// </summary>
    public async Task<bool> ConfirmEmailChangeAsync(string? userId, string? newAddress, string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(newAddress) || string.IsNullOrEmpty(token)
            || await users.FindByIdAsync(userId) is not { Email: { } oldAddress } user)
        {
            return false;
        }
        var result = await users.ChangeEmailAsync(user, newAddress, token);
        if (result.Succeeded)
        {
            result = await users.SetUserNameAsync(user, newAddress);
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.EmailChanged, result.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure, userId, userId,
            Detail: result.Succeeded ? $"to={EmailAddresses.Mask(newAddress)}" : string.Join(",", result.Errors.Select(e => e.Code))), cancellationToken);
        if (result.Succeeded)
        {
            await notices.EmailChangedAsync(userId, oldAddress, EmailAddresses.Mask(newAddress), cancellationToken);
        }
        return result.Succeeded;
    }

    /// <summary>
    /// "This wasn't me" on the notice of an email change: the account goes back to the address the notice was sent to
    /// (it received the notice, so it is the owner's), signed in with again, and any pending change is void (the stamp
    /// rotates). False when nothing changed: already that address, the account is gone, or another account took it.
    /// </summary>
    public async Task<bool> RestoreEmailAsync(string userId, string address, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { } user || string.Equals(user.Email, address, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var replaced = user.Email;
        var result = await users.SetEmailAsync(user, address);
        if (result.Succeeded)
        {
            result = await users.SetUserNameAsync(user, address);
        }
        if (result.Succeeded)
        {
            user.EmailConfirmed = true;
            result = await users.UpdateAsync(user);
            await users.UpdateSecurityStampAsync(user);
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.EmailChanged, result.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure, userId, userId,
            Detail: result.Succeeded
                ? $"restored by \"This wasn't me\"; to={EmailAddresses.Mask(address)}; from={EmailAddresses.Mask(replaced ?? "")}"
                : "restore by \"This wasn't me\" refused: " + string.Join(",", result.Errors.Select(e => e.Code))), cancellationToken);
        return result.Succeeded;
    }

    /// <summary>
    /// A password reset from the emailed link. The new password's rules are checked first against the address as typed,
    /// so the answer is the same whether or not it has an account. On success whoever knew the old password is signed
    /// out everywhere (the new stamp also forgets every remembered browser), a lockout from failed attempts ends (the
    /// reset proved the mailbox; an administrator's lock stays), and the owner is emailed.
    /// </summary>
    public async Task<PasswordResetResult> ResetPasswordAsync(
        string email, string token, string newPassword, string? clientIp = null, string? userAgent = null, CancellationToken cancellationToken = default)
    {
        var weak = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            weak.AddRange((await validator.ValidateAsync(users, new ApplicationUser { Email = email }, newPassword)).Errors.Select(e => e.Description));
        }
        if (weak.Count > 0)
        {
            return new PasswordResetResult(false, weak);
        }
        var user = await users.FindByEmailAsync(email);
        var result = user is null ? null : await users.ResetPasswordAsync(user, token, newPassword);
        if (user is not null)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasswordReset, result!.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
                user.Id, user.Id, clientIp, userAgent, result.Succeeded ? null : string.Join(",", result.Errors.Select(e => e.Code))), cancellationToken);
        }
        if (result is not { Succeeded: true })
        {
            return result?.Errors.Any(e => e.Code != "InvalidToken") == true
                ? new PasswordResetResult(false, result.Errors.Select(e => e.Description).ToList())
                : new PasswordResetResult(false, [], InvalidLink: true);
        }
        await sessions.RevokeAllAsync(user!.Id, cancellationToken);
        await attempts.ClearAsync(user.Id, cancellationToken);
        await notices.PasswordResetAsync(user.Id, cancellationToken);
        return new PasswordResetResult(true, []);
    }

    /// <summary>Null when the current password is right; the refusal otherwise. Each try costs one failure first.</summary>
    private async Task<AccountChange?> ReprovedAsync(ApplicationUser user, string currentPassword, string eventType, CancellationToken cancellationToken)
    {
        var guess = await attempts.GuessAsync(user.Id, async _ =>
            !string.IsNullOrEmpty(currentPassword) && await users.CheckPasswordAsync(user, currentPassword)
                ? (GuessVerdict.StepOnly, true)
                : (GuessVerdict.Wrong, false), cancellationToken: cancellationToken);
        if (guess.Right)
        {
            return null;
        }
        await audit.RecordAsync(new AuditEntry(eventType, AuditOutcome.Failure, user.Id, user.Id, Detail: guess.Checked ? "current password wrong" : "locked out"), cancellationToken);
        return AccountChange.Failed(guess.LockedOut ? TooManyTries : WrongPassword);
    }
}
