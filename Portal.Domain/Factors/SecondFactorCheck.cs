using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

public enum SecondFactorMethod
{
    Authenticator,
    RecoveryCode,
}

public enum SecondFactorOutcome
{
    Succeeded,
    Failed,
    Replayed,
    LockedOut,
}

/// <summary>
/// The second step of sign-in: one guess costs one unit of the lockout budget before it is checked,
/// so concurrent guessing cannot outrun the threshold; a success restores the budget.
/// </summary>
public sealed class SecondFactorCheck(
    FailedAttempts attempts, Authenticators authenticators, RecoveryCodes recoveryCodes, AuditLog audit, AuditRefusals refusals)
{
    /// <param name="exceptAuthenticator">For a step-up before removing an authenticator: its own codes do not count.</param>
    public async Task<SecondFactorOutcome> VerifyAsync(string userId, SecondFactorMethod method, string code, Guid? exceptAuthenticator = null, CancellationToken cancellationToken = default)
    {
        var guess = await attempts.GuessAsync(userId, async ct =>
        {
            var outcome = method switch
            {
                SecondFactorMethod.Authenticator => await authenticators.VerifyAsync(userId, code, exceptAuthenticator, ct) switch
                {
                    CodeCheck.Accepted => SecondFactorOutcome.Succeeded,
                    CodeCheck.Replayed => SecondFactorOutcome.Replayed,
                    _ => SecondFactorOutcome.Failed,
                },
                _ => await recoveryCodes.RedeemAsync(userId, code, ct) ? SecondFactorOutcome.Succeeded : await RecoveryFailedAsync(userId, ct),
            };
            return (outcome == SecondFactorOutcome.Succeeded ? GuessVerdict.Completes : GuessVerdict.Wrong, outcome);
        }, cancellationToken: cancellationToken);
        if (!guess.Checked)
        {
            // Counted per minute: a burst of guesses at a locked account is two rows, not one each.
            await refusals.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorLockedOut, AuditOutcome.Failure, userId, userId, Detail: "code refused unchecked: locked out"), cancellationToken);
        }
        return guess.LockedOut ? SecondFactorOutcome.LockedOut : guess.Value;
    }

    private async Task<SecondFactorOutcome> RecoveryFailedAsync(string userId, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.RecoveryCodeUsed, AuditOutcome.Failure, userId, userId, Detail: "no unused code matched"), cancellationToken);
        return SecondFactorOutcome.Failed;
    }
}
