using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Policies;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Factors.Phones;

/// <summary>A way to receive a sign-in code: "phone:{id}" for a verified phone, "email" for the account's address.</summary>
public sealed record CodeTarget(string Key, Channel Channel, string Masked)
{
    public const string EmailKey = "email";

    public static string PhoneKey(Guid phoneId) => $"phone:{phoneId:N}";

    public Guid? PhoneId => Key.StartsWith("phone:", StringComparison.Ordinal) && Guid.TryParse(Key[6..], out var id) ? id : null;
}

/// <param name="NeedsNewCode">The code can no longer be answered (expired, out of checks, already used).</param>
public sealed record SignInCodeCheck(SecondFactorOutcome Outcome, bool NeedsNewCode = false, int AttemptsLeft = 0);

/// <summary>
/// The second step of sign-in with a code sent by SMS to a verified phone (or by email, when the policy allows it).
/// Each guess costs one unit of the shared lockout budget before it is checked, and the challenge's own checks too.
/// </summary>
public sealed class SignInCodes(UserPhones phones, FactorLifecycle factors, Challenges.Challenges challenges, ChallengeTexts texts, IPolicies policies, FailedAttempts attempts, AuditRefusals refusals)
{
    public const string Purpose = "sign-in";

    /// <summary>
    /// Where this user may receive a code: each verified phone, and the email address when the policy says so, or when
    /// it is confirmed and the user has no second factor (the risk engine's "Verify it's you" for an unusual sign-in).
    /// </summary>
    public async Task<IReadOnlyList<CodeTarget>> TargetsAsync(string userId, string? email, bool emailConfirmed = false, CancellationToken cancellationToken = default)
    {
        var targets = (await phones.ListVerifiedAsync(userId, cancellationToken))
            .Select(p => new CodeTarget(CodeTarget.PhoneKey(p.Id), Channel.Sms, p.Masked))
            .ToList();
        // NIST SP 800-63B rev 4 does not count email as an authenticator: offered only when an admin turns it on.
        // A confirmed mailbox is more than nothing for someone who has no factor: it only ever adds a check.
        if (!string.IsNullOrEmpty(email) && ((await policies.CurrentAsync(cancellationToken)).Otp.EmailAsSecondFactor
            || (emailConfirmed && targets.Count == 0 && !await factors.HasSecondFactorAsync(userId, cancellationToken))))
        {
            targets.Add(new CodeTarget(CodeTarget.EmailKey, Channel.Email, EmailAddresses.Mask(email)));
        }
        return targets;
    }

    /// <summary>
    /// Sends a code to <paramref name="targetKey"/>. With <paramref name="current"/> (the challenge already sent there)
    /// it is a resend, held to the cooldown; a closed challenge is replaced by a new one.
    /// </summary>
    /// <exception cref="SendRefusedException">An abuse limit refused the send.</exception>
    public async Task<CodeSent> SendAsync(
        string userId, string? email, string targetKey, Guid? current, string? clientIp, bool emailConfirmed = false, CancellationToken cancellationToken = default)
    {
        var target = (await TargetsAsync(userId, email, emailConfirmed, cancellationToken)).SingleOrDefault(t => t.Key == targetKey);
        if (target is null)
        {
            return new CodeSent(false, Problem: "That way of receiving a code is not available. Choose another.");
        }
        var binding = ChallengeBinding.ForUser(userId);
        var compose = texts.For(Purpose, target.Channel);
        if (current is { } live && await challenges.ResendAsync(live, binding, compose, clientIp, cancellationToken) is { } resent
            && resent.Outcome != ResendOutcome.Closed)
        {
            return UserPhones.Describe(resent, live);
        }

        ChallengeRequest request;
        if (target.PhoneId is { } phoneId)
        {
            if (await phones.VerifiedNumberAsync(userId, phoneId, cancellationToken) is not { } number)
            {
                return new CodeSent(false, Problem: "That phone number is no longer on your account. Choose another.");
            }
            request = new ChallengeRequest(Purpose, binding, Channel.Sms, number.E164, number.Masked, compose, number.Region, clientIp);
        }
        else
        {
            request = new ChallengeRequest(Purpose, binding, Channel.Email, email!, target.Masked, compose, ClientIp: clientIp);
        }
        var created = await challenges.CreateAsync(request, cancellationToken);
        return new CodeSent(true, created.ChallengeId);
    }

    /// <summary>Checks a sign-in code of challenge <paramref name="challengeId"/>, which must be this user's and for sign-in.</summary>
    public async Task<SignInCodeCheck> VerifyAsync(string userId, Guid challengeId, string code, Guid? phoneId, CancellationToken cancellationToken = default)
    {
        var binding = ChallengeBinding.ForUser(userId);
        var guess = await attempts.GuessAsync(userId, async ct =>
        {
            // A code sent to verify a phone proves the phone, not a sign-in: only sign-in challenges count here.
            var view = await challenges.GetAsync(challengeId, binding, ct);
            var result = view?.Purpose == Purpose ? await challenges.CheckAsync(challengeId, code, binding, ct) : null;
            return (result?.Status == ChallengeStatus.Approved ? GuessVerdict.Completes : GuessVerdict.Wrong, result);
        }, cancellationToken: cancellationToken);
        if (!guess.Checked)
        {
            await refusals.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorLockedOut, AuditOutcome.Failure, userId, userId, Detail: "code refused unchecked: locked out"), cancellationToken);
        }
        if (guess.Right)
        {
            if (phoneId is { } id)
            {
                await phones.MarkUsedAsync(userId, id, cancellationToken);
            }
            return new SignInCodeCheck(SecondFactorOutcome.Succeeded);
        }
        if (guess.LockedOut)
        {
            return new SignInCodeCheck(SecondFactorOutcome.LockedOut);
        }
        return guess.Value is { Status: ChallengeStatus.Pending } pending
            ? new SignInCodeCheck(SecondFactorOutcome.Failed, false, pending.AttemptsLeft)
            : new SignInCodeCheck(SecondFactorOutcome.Failed, NeedsNewCode: true);
    }
}
