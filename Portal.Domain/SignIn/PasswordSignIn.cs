using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Policies;

namespace Tessera.Domain.SignIn;

/// <summary>
/// The password step of sign-in, decided here and only here. Every attempt reserves one failure of the account's
/// budget before the password is looked at (so parallel guesses land exactly on the threshold), and every attempt
/// costs one password-hash verification, whether the account exists, is locked out or not (so the time taken says
/// nothing about the account). Unknown accounts have a budget too, counted per address, so the lockout page appears
/// after the same number of tries for any address. The caller only turns the result into a cookie and a redirect.
/// </summary>
public sealed class PasswordSignIn(
    UserManager<ApplicationUser> users,
    IPasswordHasher<ApplicationUser> hasher,
    FailedAttempts attempts,
    AttemptCounters counters,
    TwoFactorFlag factors,
    AuditLog audit,
    AuditRefusals refusals,
    IOptions<IdentityOptions> identity)
{
    public const string UnknownAccountRule = "signin-unknown";

    /// <summary>The session method code of a password-only sign-in.</summary>
    public const string PasswordMethod = "pwd";

    private static readonly ApplicationUser Nobody = new() { Id = "nobody", UserName = "nobody" };
    private static string? dummyHash;

    public async Task<PasswordStepResult> PasswordAsync(
        string email, string password, ClientContext client, RememberedBrowser? remembered = null, CancellationToken cancellationToken = default)
    {
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return await UnknownAccountAsync(email, password, client, cancellationToken);
        }

        var reservation = await attempts.ReserveAsync(user.Id, cancellationToken);
        if (!reservation.Granted)
        {
            // Locked out: the password is not checked, but a hash is still computed, so the refusal takes as long.
            VerifyDummy(password);
            await RefuseAsync(AuditEventTypes.LockedOut, user.Id, client, "sign-in refused while locked out", cancellationToken);
            return new PasswordStepResult(PasswordStep.LockedOut, user.Id, await attempts.LockedUntilAsync(user.Id, cancellationToken));
        }

        // CheckPasswordAsync verifies (and upgrades an old hash format) without touching the lockout counters.
        if (user.PasswordHash is null ? VerifyDummy(password) : !await users.CheckPasswordAsync(user, password))
        {
            var locked = reservation.SetLockoutUntil;
            await RefuseAsync(AuditEventTypes.SignIn, user.Id, client, locked is null ? "wrong password" : "wrong password; account locked", cancellationToken);
            return locked is null
                ? new PasswordStepResult(PasswordStep.Refused, user.Id)
                : new PasswordStepResult(PasswordStep.LockedOut, user.Id, locked);
        }

        if (identity.Value.SignIn.RequireConfirmedEmail && !user.EmailConfirmed)
        {
            await attempts.ReleaseAsync(user.Id, reservation, cancellationToken);
            await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, "password right; email not confirmed", cancellationToken);
            return new PasswordStepResult(PasswordStep.NotAllowed, user.Id);
        }

        var rememberedHere = remembered is not null && remembered.UserId == user.Id
            && remembered.SecurityStamp is not null && remembered.SecurityStamp == user.SecurityStamp;
        if (!rememberedHere && await factors.HasSecondFactorAsync(user.Id, cancellationToken))
        {
            // Only this attempt is given back: a known password must not refill the budget for guessing codes.
            await attempts.ReleaseAsync(user.Id, reservation, cancellationToken);
            await RecordAsync(AuditEventTypes.PasswordVerified, AuditOutcome.Success, user.Id, client, "second factor required", cancellationToken);
            return new PasswordStepResult(PasswordStep.NeedsSecondFactor, user.Id);
        }

        await attempts.SucceededAsync(user.Id, cancellationToken);
        return new PasswordStepResult(PasswordStep.Done, user.Id, Method: rememberedHere ? "pwd+remembered" : PasswordMethod);
    }

    /// <summary>The cookie was issued: only now is the sign-in written to the audit log as a success.</summary>
    public Task SignedInAsync(string userId, string method, ClientContext client, CancellationToken cancellationToken = default) =>
        RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, userId, client, $"with {method}", cancellationToken);

    private async Task<PasswordStepResult> UnknownAccountAsync(string email, string password, ClientContext client, CancellationToken cancellationToken)
    {
        var lockout = identity.Value.Lockout;
        var normalized = users.NormalizeEmail(email?.Trim() ?? "") ?? "";
        var count = await counters.CountAsync(UnknownAccountRule, normalized, lockout.DefaultLockoutTimeSpan, cancellationToken);
        VerifyDummy(password);
        if (count > lockout.MaxFailedAccessAttempts)
        {
            await RefuseAsync(AuditEventTypes.LockedOut, null, client, "sign-in refused: unknown account, too many tries", cancellationToken);
            return new PasswordStepResult(PasswordStep.LockedOut);
        }
        await RefuseAsync(AuditEventTypes.SignIn, null, client, "unknown account", cancellationToken);
        return new PasswordStepResult(count == lockout.MaxFailedAccessAttempts ? PasswordStep.LockedOut : PasswordStep.Refused);
    }

    /// <summary>Computes one password hash verification against a hash nobody's password matches; always false.</summary>
    private bool VerifyDummy(string password)
    {
        var hash = dummyHash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        hasher.VerifyHashedPassword(Nobody, hash, password ?? "");
        return true;
    }

    private Task RefuseAsync(string type, string? userId, ClientContext client, string detail, CancellationToken cancellationToken) =>
        refusals.RecordAsync(new AuditEntry(type, AuditOutcome.Failure, userId, userId, client.IpAddress, client.UserAgent, detail), cancellationToken);

    private async Task RecordAsync(string type, AuditOutcome outcome, string userId, ClientContext client, string detail, CancellationToken cancellationToken) =>
        await audit.RecordAsync(new AuditEntry(type, outcome, userId, userId, client.IpAddress, client.UserAgent, detail), cancellationToken);
}
