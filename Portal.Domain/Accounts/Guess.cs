namespace Tessera.Domain.Accounts;

/// <summary>What a checked secret means for the failure budget.</summary>
public enum GuessVerdict
{
    /// <summary>Wrong: the reserved failure stays counted.</summary>
    Wrong,

    /// <summary>Right, and the sign-in or re-check is complete: every budget of that network and of the later steps is whole again.</summary>
    Completes,

    /// <summary>Right, but more is owed (a password before a second factor): only this guess's reservation is given back.</summary>
    StepOnly,
}

/// <summary>The outcome of one guess under the failure budget.</summary>
/// <param name="Checked">False when the account was locked out: the secret was not looked at.</param>
/// <param name="LockedUntil">Set when this wrong guess was the one that locked the account.</param>
public readonly record struct Guess<T>(bool Checked, GuessVerdict Verdict, T? Value, DateTimeOffset? LockedUntil)
{
    public bool Right => Checked && Verdict != GuessVerdict.Wrong;

    /// <summary>Locked out before the check, or by this guess.</summary>
    public bool LockedOut => !Checked || LockedUntil is not null;
}

public sealed partial class FailedAttempts
{
    /// <summary>
    /// The one bracket around every guess of a secret (a password, an authenticator or recovery code, a texted code, a
    /// passkey as a second factor, a re-check): one failure is reserved before <paramref name="check"/> runs, so
    /// parallel guesses land exactly on the threshold; a locked-out account is not checked at all; the verdict decides
    /// what is given back, and the guess that locks the account emails its owner. Callers say what happened in the audit
    /// log; they never touch the budget themselves.
    /// </summary>
    /// <param name="network">Where a password guess comes from; the steps after the password use <see cref="AnyNetwork"/>.</param>
    public async Task<Guess<T>> GuessAsync<T>(
        string userId, Func<CancellationToken, Task<(GuessVerdict Verdict, T Value)>> check, string network = AnyNetwork, CancellationToken cancellationToken = default)
    {
        var reservation = await ReserveAsync(userId, network, cancellationToken);
        if (!reservation.Granted)
        {
            return new Guess<T>(false, GuessVerdict.Wrong, default, null);
        }
        var (verdict, value) = await check(cancellationToken);
        if (verdict == GuessVerdict.Wrong && reservation.SetLockoutUntil is { } until && notices is not null)
        {
            // Only the guess that locked tells the owner: one email per lockout, however many guesses follow.
            await notices.AccountLockedAsync(userId, until, network == AnyNetwork ? null : network, everywhere: reservation.AccountLockUntil is not null, cancellationToken);
        }
        switch (verdict)
        {
            case GuessVerdict.Completes:
                await SucceededAsync(userId, network, cancellationToken);
                break;
            case GuessVerdict.StepOnly:
                await ReleaseAsync(userId, reservation, cancellationToken);
                break;
        }
        return new Guess<T>(true, verdict, value, verdict == GuessVerdict.Wrong ? reservation.SetLockoutUntil : null);
    }
}
