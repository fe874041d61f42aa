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
        if (!await attempts.TryReserveAsync(userId, cancellationToken))
        {
            // Counted per minute: a burst of guesses at a locked account is two rows, not one each.
            await refusals.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorLockedOut, AuditOutcome.Failure, userId, userId, Detail: "code refused unchecked: locked out"), cancellationToken);
            return SecondFactorOutcome.LockedOut;
        }

        var outcome = method switch
        {
            SecondFactorMethod.Authenticator => await authenticators.VerifyAsync(userId, code, exceptAuthenticator, cancellationToken) switch
            {
                CodeCheck.Accepted => SecondFactorOutcome.Succeeded,
                CodeCheck.Replayed => SecondFactorOutcome.Replayed,
                _ => SecondFactorOutcome.Failed,
            },
            _ => await recoveryCodes.RedeemAsync(userId, code, cancellationToken) ? SecondFactorOutcome.Succeeded : await RecoveryFailedAsync(userId, cancellationToken),
        };

        if (outcome == SecondFactorOutcome.Succeeded)
        {
            await attempts.SucceededAsync(userId, cancellationToken);
            return outcome;
        }
        return await attempts.IsLockedOutAsync(userId, cancellationToken) ? SecondFactorOutcome.LockedOut : outcome;
    }

    private async Task<SecondFactorOutcome> RecoveryFailedAsync(string userId, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.RecoveryCodeUsed, AuditOutcome.Failure, userId, userId, Detail: "no unused code matched"), cancellationToken);
        return SecondFactorOutcome.Failed;
    }
}

/// <summary>Keeps Identity's TwoFactorEnabled flag in step with the factors a user has.</summary>
public sealed class TwoFactorFlag(IDbContextFactory<PortalDbContext> dbFactory)
{
    // Written directly, not through UserManager: that would rotate the security stamp and sign the user out
    // of the very session in which they just added or removed a factor.
    public async Task<bool> RefreshAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var enabled = await HasSecondFactorAsync(db, userId, cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, enabled), cancellationToken);
        return enabled;
    }

    /// <summary>
    /// Whether a second factor is owed at sign-in, from Tessera's own factor tables: Identity's TwoFactorEnabled flag
    /// and its token-provider rules are not asked.
    /// </summary>
    public async Task<bool> HasSecondFactorAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await HasSecondFactorAsync(db, userId, cancellationToken);
    }

    /// <summary>
    /// Whether a factor may be added: the first one freely (there is nothing to re-prove with but the password the
    /// session already proved), any further one only with a step-up proof for it, spent here.
    /// </summary>
    public async Task<bool> MayAddAsync(string userId, StepUpProof? proof, CancellationToken cancellationToken = default) =>
        !await HasSecondFactorAsync(userId, cancellationToken)
        || (proof is not null && await proof.SpendAsync(userId, StepUpPurposes.AddFactor, cancellationToken));

    /// <summary>How many second factors the user has: authenticator apps, passkeys and verified phones.</summary>
    public async Task<int> CountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.TotpAuthenticators.CountAsync(a => a.UserId == userId, cancellationToken)
            + await db.PasskeyCredentials.CountAsync(c => c.UserId == userId, cancellationToken)
            + await db.UserPhones.CountAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
    }

    private static async Task<bool> HasSecondFactorAsync(PortalDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.TotpAuthenticators.AnyAsync(a => a.UserId == userId, cancellationToken)
        || await db.PasskeyCredentials.AnyAsync(c => c.UserId == userId, cancellationToken)
        // Only a verified phone: an unverified number may not even be the user's.
        || await db.UserPhones.AnyAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
}
