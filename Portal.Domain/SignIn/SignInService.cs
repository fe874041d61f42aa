using Tessera.Domain.Contacts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Policies;

namespace Tessera.Domain.SignIn;

/// <summary>
/// Every sign-in decision, for every path: the password step, the second step (an authenticator code, a recovery code,
/// a texted or emailed code, a passkey) and the passwordless ones (a passkey, a QR approval). Each returns one
/// <see cref="SignInDecision"/>; the caller only turns it into a cookie and a redirect, then calls
/// <see cref="SignedInAsync"/>. Identity only hashes passwords and issues cookies: whether a second factor is owed comes
/// from Tessera's factor tables, and every path refuses a locked-out account and, when confirmation is required, an
/// unconfirmed email. Failures count against the one budget of <see cref="FailedAttempts"/>, reserved before any
/// secret is looked at.
/// </summary>
public sealed class SignInService(
    UserManager<ApplicationUser> users,
    IPasswordHasher<ApplicationUser> hasher,
    FailedAttempts attempts,
    AttemptCounters counters,
    FactorLifecycle factors,
    SecondFactorCheck secondFactors,
    SignInCodes messageCodes,
    Passkeys passkeys,
    QrSignIn qr,
    PushApprovals pushes,
    PushPasswordless passwordlessPushes,
    AuditLog audit,
    AuditRefusals refusals,
    IOptions<IdentityOptions> identity,
    MfaRequirement mfa,
    NetworkThrottle throttle,
    SignInRisk risk,
    TimeProvider time)
{
    public const string UnknownAccountRule = "signin-unknown";

    private static readonly ApplicationUser Nobody = new() { Id = "nobody", UserName = "nobody" };
    private static string? dummyHash;

    private IdentityOptions Options => identity.Value;

    /// <summary>
    /// The password step. Every attempt reserves one failure before the password is looked at (so parallel guesses
    /// land exactly on the threshold) and costs one hash verification, whether the account exists, is locked out or
    /// not (so the time taken says nothing about the account). Unknown addresses have a budget too.
    /// </summary>
    public async Task<SignInDecision> PasswordAsync(string email, string password, ClientContext client, CancellationToken cancellationToken = default)
    {
        // Counted before anything is looked up: a network past its hourly limit of failures gets no answer about anyone.
        if (await throttle.ReserveAsync(client.IpAddress, cancellationToken) is { } wait)
        {
            await RefuseAsync(AuditEventTypes.SignIn, null, client, "refused unchecked: too many failures from this network", cancellationToken);
            return new SignInDecision(SignInStep.Throttled, RetryAfter: wait);
        }
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return await UnknownAccountAsync(email, password, client, cancellationToken);
        }

        // A password guess counts for the network it came from: a stranger elsewhere cannot lock the owner out of theirs.
        var network = Networks.Of(client.IpAddress) ?? "unknown";
        var rememberedHere = false;
        var unusual = false;
        var guess = await attempts.GuessAsync(user.Id, async ct =>
        {
            // CheckPasswordAsync verifies (and upgrades an old hash format) without touching the lockout counters.
            if (user.PasswordHash is null ? VerifyDummy(password) : !await users.CheckPasswordAsync(user, password))
            {
                return (GuessVerdict.Wrong, SignInStep.Refused);
            }
            if (!MayUse(user))
            {
                return (GuessVerdict.StepOnly, SignInStep.NotAllowed);
            }
            // The risk engine scores only attempts whose password was right: a wrong guess teaches nothing and costs no lookup.
            var hasFactor = await factors.HasSecondFactorAsync(user.Id, ct);
            var assessed = await risk.AssessAsync(user, client, hasFactor, "password", counted: true, ct);
            unusual = assessed.DemandsStepUp;
            // Only this attempt is given back when more is owed: a known password must not refill the budget for
            // guessing codes.
            switch (assessed.Enforced)
            {
                case Policies.RiskDecision.Deny:
                    return (GuessVerdict.StepOnly, SignInStep.Denied);
                case Policies.RiskDecision.StepUp when hasFactor || user.EmailConfirmed:
                    // Its own factors, or (for someone with none) a code to the confirmed email: "Verify it's you".
                    return (GuessVerdict.StepOnly, SignInStep.NeedsSecondFactor);
                case Policies.RiskDecision.StepUp:
                    // Nothing to verify with: an unconfirmed mailbox proves nobody.
                    return (GuessVerdict.StepOnly, SignInStep.Denied);
            }
            // "Remember this device" skips the second factor only when the score allowed the sign-in.
            rememberedHere = hasFactor && await risk.RememberedAsync(user, client, assessed, ct);
            return hasFactor && !rememberedHere
                ? (GuessVerdict.StepOnly, SignInStep.NeedsSecondFactor)
                : (GuessVerdict.Completes, SignInStep.Done);
        }, network, cancellationToken);

        if (!guess.Checked)
        {
            // Locked out: the password is not checked, but a hash is still computed, so the refusal takes as long.
            VerifyDummy(password);
            await RefuseAsync(AuditEventTypes.LockedOut, user.Id, client, "sign-in refused while locked out", cancellationToken);
            return await LockedOutAsync(user.Id, cancellationToken, network);
        }
        if (!guess.Right)
        {
            await RefuseAsync(AuditEventTypes.SignIn, user.Id, client, guess.LockedUntil is null ? "wrong password" : "wrong password; account locked", cancellationToken);
            if (guess.LockedUntil is not null)
            {
                // The budget has emailed the owner (once per lockout).
                return await LockedOutAsync(user.Id, cancellationToken, network);
            }
            return new SignInDecision(SignInStep.Refused, user.Id, AttemptsLeft: await AttemptsLeftAsync(user.Id, cancellationToken, network));
        }

        // The password was right: no failure for the network either.
        await throttle.GiveBackAsync(client.IpAddress, cancellationToken);
        switch (guess.Value)
        {
            case SignInStep.NotAllowed:
                await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, "password right; email not confirmed", cancellationToken);
                return new SignInDecision(SignInStep.NotAllowed, user.Id, NotAllowedBecause: NotAllowedReason.EmailUnconfirmed);
            case SignInStep.Denied:
                await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, "password right; denied by the risk score", cancellationToken);
                return new SignInDecision(SignInStep.Denied, user.Id);
            case SignInStep.NeedsSecondFactor:
                await RecordAsync(AuditEventTypes.PasswordVerified, AuditOutcome.Success, user.Id, client,
                    unusual ? "step-up required: unusual sign-in" : "second factor required", cancellationToken);
                var methods = await SecondStepMethodsAsync(user.Id, user.Email, user.EmailConfirmed, cancellationToken);
                return new SignInDecision(SignInStep.NeedsSecondFactor, user.Id, Methods: methods, Unusual: unusual);
        }
        var owed = await mfa.StatusAsync(user.Id, await users.GetRolesAsync(user), cancellationToken);
        return new SignInDecision(SignInStep.Done, user.Id, Method: rememberedHere ? SignInMethods.RememberedDevice : SignInMethods.Password,
            EnrolFirst: owed.MustEnrollNow);
    }

    /// <summary>The second step of a sign-in whose password step answered <see cref="SignInStep.NeedsSecondFactor"/>.</summary>
    public async Task<SignInDecision> CompleteAsync(string pendingUserId, SignInProof proof, ClientContext client, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(pendingUserId);
        if (user is null)
        {
            return SignInDecision.Refused;
        }
        if (await IsLockedOutAsync(user.Id, cancellationToken))
        {
            await RefuseAsync(AuditEventTypes.SecondFactorLockedOut, user.Id, client, "second step refused unchecked: locked out", cancellationToken);
            return await LockedOutAsync(user.Id, cancellationToken);
        }
        if (!MayUse(user))
        {
            await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, $"{proof.Method} second step; email not confirmed", cancellationToken);
            return new SignInDecision(SignInStep.NotAllowed, user.Id, NotAllowedBecause: NotAllowedReason.EmailUnconfirmed);
        }

        var result = proof switch
        {
            TotpProof totp => FromOutcome(await secondFactors.VerifyAsync(user.Id, SecondFactorMethod.Authenticator, totp.Code, cancellationToken: cancellationToken)),
            RecoveryCodeProof recovery => FromOutcome(await secondFactors.VerifyAsync(user.Id, SecondFactorMethod.RecoveryCode, recovery.Code, cancellationToken: cancellationToken)),
            MessageCodeProof message => FromCodeCheck(await messageCodes.VerifyAsync(user.Id, message.ChallengeId, message.Code, message.PhoneId, cancellationToken)),
            PasskeyProof passkey => await SecondFactorPasskeyAsync(user.Id, passkey, cancellationToken),
            // The number was typed on the user's own device: the approval module's audit events say why a redeem failed.
            PushApprovalProof push => await pushes.RedeemAsync(push.ApprovalId, push.BrowserNonce, user.Id,
                new ClientDevice(client.IpAddress, client.UserAgent), cancellationToken) ? new SignInDecision(SignInStep.Done) : SignInDecision.Refused,
            _ => SignInDecision.Refused,
        };
        return result.Step switch
        {
            SignInStep.Done => result with { UserId = user.Id, Method = proof.Method },
            SignInStep.LockedOut => await LockedOutAsync(user.Id, cancellationToken),
            _ => result with { UserId = user.Id, AttemptsLeft = await AttemptsLeftAsync(user.Id, cancellationToken) },
        };
    }

    /// <summary>
    /// A sign-in without a password: a user-verified passkey (something you have plus a PIN or biometric) or a QR
    /// approval from a phone that is signed in with its own factors. Either is both factors, so none is owed after it.
    /// </summary>
    public async Task<SignInDecision> PasswordlessAsync(SignInProof proof, ClientContext client, CancellationToken cancellationToken = default)
    {
        string? userId;
        switch (proof)
        {
            case PasskeyProof passkey:
                var verified = await passkeys.CompleteAssertionAsync(passkey.ChallengeId, passkey.ResponseJson, expectedUserId: null, cancellationToken);
                userId = verified.Succeeded ? verified.UserId : null;
                if (userId is null)
                {
                    await RefuseAsync(AuditEventTypes.SignIn, null, client, $"passkey: {verified.Error ?? "no such user"}", cancellationToken);
                }
                break;
            case QrApprovalProof approval:
                // Vague on purpose: the QR module's audit events say whether it was the cookie, the status or the clock.
                userId = await qr.RedeemAsync(approval.SessionId, approval.BrowserNonce, new QrDevice(client.IpAddress, client.UserAgent), cancellationToken);
                break;
            case PushApprovalProof push:
                // As a QR approval: the approving device is signed in with its own factors and typed the number.
                userId = await passwordlessPushes.RedeemPasswordlessAsync(push.ApprovalId, push.BrowserNonce, new ClientDevice(client.IpAddress, client.UserAgent), cancellationToken);
                break;
            default:
                return SignInDecision.Refused;
        }
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        if (user is null)
        {
            return SignInDecision.Refused;
        }
        if (await IsLockedOutAsync(user.Id, cancellationToken))
        {
            await RefuseAsync(AuditEventTypes.LockedOut, user.Id, client, $"{proof.Method} sign-in refused while locked out", cancellationToken);
            return await LockedOutAsync(user.Id, cancellationToken);
        }
        if (!MayUse(user))
        {
            await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, $"{proof.Method}; email not confirmed", cancellationToken);
            return new SignInDecision(SignInStep.NotAllowed, user.Id, NotAllowedBecause: NotAllowedReason.EmailUnconfirmed);
        }
        if (proof is PasskeyProof or PushApprovalProof)
        {
            // A user-verified passkey, or a number typed on the user's own signed-in device, is already a strong
            // step-up: only a deny changes the outcome. A QR approval was scored on the approving phone instead.
            var assessed = await risk.AssessAsync(user, client, hasFactor: true, proof is PasskeyProof ? "passkey" : "push", counted: false, cancellationToken);
            if (assessed.Enforced == Policies.RiskDecision.Deny)
            {
                await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, user.Id, client, $"{(proof is PasskeyProof ? "passkey" : "push approval")} right; denied by the risk score", cancellationToken);
                return new SignInDecision(SignInStep.Denied, user.Id);
            }
        }
        // A QR approver may be an admin past the MFA deadline without a factor of their own: enrolment first, as after a password.
        var owed = await mfa.StatusAsync(user.Id, await users.GetRolesAsync(user), cancellationToken);
        return new SignInDecision(SignInStep.Done, user.Id, Method: proof.Method, EnrolFirst: owed.MustEnrollNow);
    }

    /// <summary>
    /// A new account signs in at once (when confirmation is not required): the password was set a moment ago, so no
    /// secret is checked, but the rules every path follows still apply (a confirmed email when required, the MFA
    /// policy's "enrol first").
    /// </summary>
    public async Task<SignInDecision> RegisteredAsync(string userId, ClientContext client, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return SignInDecision.Refused;
        }
        // Only an account that is new in every way: one with a factor or a lock is not signed in on a registration's word.
        if (await IsLockedOutAsync(user.Id, cancellationToken))
        {
            return await LockedOutAsync(user.Id, cancellationToken);
        }
        if (await factors.HasSecondFactorAsync(user.Id, cancellationToken))
        {
            return new SignInDecision(SignInStep.NeedsSecondFactor, user.Id);
        }
        if (!MayUse(user))
        {
            return new SignInDecision(SignInStep.NotAllowed, user.Id, NotAllowedBecause: NotAllowedReason.EmailUnconfirmed);
        }
        var owed = await mfa.StatusAsync(user.Id, await users.GetRolesAsync(user), cancellationToken);
        return new SignInDecision(SignInStep.Done, user.Id, Method: SignInMethods.Registration, EnrolFirst: owed.MustEnrollNow);
    }

    /// <summary>
    /// The ways to finish this user's second step, from Tessera's own factor tables, the one to offer first at the top
    /// (the password step's <see cref="SignInDecision.Methods"/>; the second-step page asks again when it is shown).
    /// </summary>
    public async Task<IReadOnlyList<SecondStepMethod>> SecondStepMethodsAsync(string userId, string? email, bool emailConfirmed = false, CancellationToken cancellationToken = default) =>
        SecondStepMethod.Order(await factors.ListAsync(userId, cancellationToken), await messageCodes.TargetsAsync(userId, email, emailConfirmed, cancellationToken),
            (await pushes.AvailabilityAsync(userId, cancellationToken)).Offer);

    /// <summary>
    /// The cookie was issued: only now is the sign-in written to the audit log as a success, and learned from by the
    /// risk engine (with the new-device or new-place email). "Remember this device" then trusts the device.
    /// </summary>
    public async Task SignedInAsync(string userId, string method, ClientContext client, bool rememberDevice = false, CancellationToken cancellationToken = default)
    {
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, userId, client, $"with {method}", cancellationToken);
        await risk.LearnAsync(userId, client, cancellationToken);
        if (rememberDevice && await users.FindByIdAsync(userId) is { } user)
        {
            await risk.RememberAsync(user, client, cancellationToken);
        }
    }

    /// <summary>Why and until when the account is locked, for the lockout page; null when it is not.</summary>
    public async Task<SignInDecision?> LockoutOfAsync(string userId, CancellationToken cancellationToken = default) =>
        await IsLockedOutAsync(userId, cancellationToken) ? await LockedOutAsync(userId, cancellationToken) : null;

    private async Task<SignInDecision> SecondFactorPasskeyAsync(string userId, PasskeyProof proof, CancellationToken cancellationToken)
    {
        var guess = await attempts.GuessAsync(userId, async ct =>
            (await passkeys.CompleteAssertionAsync(proof.ChallengeId, proof.ResponseJson, userId, ct)).Succeeded
                ? (GuessVerdict.Completes, true)
                : (GuessVerdict.Wrong, false), cancellationToken: cancellationToken);
        return guess.Right ? new SignInDecision(SignInStep.Done)
            : guess.LockedOut ? new SignInDecision(SignInStep.LockedOut)
            : SignInDecision.Refused;
    }

    private static SignInDecision FromOutcome(SecondFactorOutcome outcome) => outcome switch
    {
        SecondFactorOutcome.Succeeded => new SignInDecision(SignInStep.Done),
        SecondFactorOutcome.LockedOut => new SignInDecision(SignInStep.LockedOut),
        SecondFactorOutcome.Replayed => new SignInDecision(SignInStep.Refused, Refusal: RefusalKind.Replayed),
        _ => SignInDecision.Refused,
    };

    private static SignInDecision FromCodeCheck(SignInCodeCheck check) => check.Outcome switch
    {
        SecondFactorOutcome.Succeeded => new SignInDecision(SignInStep.Done),
        SecondFactorOutcome.LockedOut => new SignInDecision(SignInStep.LockedOut),
        _ => new SignInDecision(SignInStep.Refused, Refusal: check.NeedsNewCode ? RefusalKind.NeedsNewCode : RefusalKind.WrongSecret,
            CodeAttemptsLeft: check.AttemptsLeft),
    };

    private async Task<SignInDecision> UnknownAccountAsync(string email, string password, ClientContext client, CancellationToken cancellationToken)
    {
        var lockout = Options.Lockout;
        var normalized = users.NormalizeEmail(email?.Trim() ?? "") ?? "";
        // Per address and network, as a real account's budget is: the lockouts must not tell the two apart.
        var network = Networks.Of(client.IpAddress) ?? "unknown";
        var (count, windowEnd) = await counters.CountAsync(UnknownAccountRule, $"{normalized}|{network}", lockout.DefaultLockoutTimeSpan, cancellationToken);
        VerifyDummy(password);
        // The same answer as a real account's lockout, with when it ends: the window's end stands for the lockout's.
        var lockedOut = new SignInDecision(SignInStep.LockedOut, LockedUntil: windowEnd, Lockout: LockoutReason.FailedAttempts);
        if (count > lockout.MaxFailedAccessAttempts)
        {
            await RefuseAsync(AuditEventTypes.LockedOut, null, client, "sign-in refused: unknown account, too many tries", cancellationToken);
            return lockedOut;
        }
        await RefuseAsync(AuditEventTypes.SignIn, null, client, "unknown account", cancellationToken);
        var left = lockout.MaxFailedAccessAttempts - count;
        return left == 0 ? lockedOut : new SignInDecision(SignInStep.Refused, AttemptsLeft: left <= 2 ? left : null);
    }

    private bool MayUse(ApplicationUser user) => !Options.SignIn.RequireConfirmedEmail || user.EmailConfirmed;

    private Task<bool> IsLockedOutAsync(string userId, CancellationToken cancellationToken) => attempts.IsLockedOutAsync(userId, cancellationToken);

    private async Task<SignInDecision> LockedOutAsync(string userId, CancellationToken cancellationToken, string network = FailedAttempts.AnyNetwork)
    {
        var until = await attempts.LockedUntilAsync(userId, network, cancellationToken);
        // An administrator's lock has no end: it is stored as the largest date, far beyond any failure lockout (a day).
        var byAdmin = until is { } end && end > time.GetUtcNow() + FailureLimits.DayLockout;
        return new SignInDecision(SignInStep.LockedOut, userId, byAdmin || until is null ? null : RoundedUp(until.Value),
            Lockout: byAdmin ? LockoutReason.Administrator : LockoutReason.FailedAttempts);
    }

    /// <summary>
    /// The time the lockout page names: rounded up to a whole lockout window, the alignment an unknown address's
    /// counter has anyway, so the shown time cannot tell a real account from an unknown one. It errs late, never early.
    /// </summary>
    private DateTimeOffset RoundedUp(DateTimeOffset until)
    {
        var window = (long)Options.Lockout.DefaultLockoutTimeSpan.TotalMilliseconds;
        var ms = until.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds((ms + window - 1) / window * window);
    }

    /// <summary>"N attempts left" is told once 2 or fewer remain.</summary>
    private async Task<int?> AttemptsLeftAsync(string userId, CancellationToken cancellationToken, string network = FailedAttempts.AnyNetwork)
    {
        var left = await attempts.RemainingAsync(userId, network, cancellationToken);
        return left is <= 2 ? left : null;
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
