namespace Tessera.Domain.SignIn;

public enum PasswordStep
{
    /// <summary>Signed in: no second factor is owed (none enrolled, or this browser is remembered).</summary>
    Done,

    /// <summary>The password was right; a second factor is owed before a cookie may be issued.</summary>
    NeedsSecondFactor,

    /// <summary>Too many failures (or an administrator's lock): nothing was checked, or this failure locked it.</summary>
    LockedOut,

    /// <summary>The password was right but the account may not sign in yet: its email is not confirmed.</summary>
    NotAllowed,

    /// <summary>Wrong password or unknown account; the caller cannot tell which.</summary>
    Refused,
}

/// <param name="Method">How the user signed in, as the session's short code ("pwd"), when <see cref="PasswordStep.Done"/>.</param>
public sealed record PasswordStepResult(PasswordStep Step, string? UserId = null, DateTimeOffset? LockedUntil = null, string? Method = null);
