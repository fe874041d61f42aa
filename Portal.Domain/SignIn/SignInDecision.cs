namespace Tessera.Domain.SignIn;

public enum SignInStep
{
    /// <summary>Signed in: the caller issues the cookie, then calls <see cref="SignInService.SignedInAsync"/>.</summary>
    Done,

    /// <summary>The password was right; a second factor is owed before a cookie may be issued.</summary>
    NeedsSecondFactor,

    /// <summary>Too many failures or an administrator's lock: nothing was checked, or this failure locked it.</summary>
    LockedOut,

    /// <summary>The account may not sign in yet: its email is not confirmed (said only once the secret was right).</summary>
    NotAllowed,

    /// <summary>The secret was wrong, the account unknown, or the proof expired; the caller cannot tell which.</summary>
    Refused,

    /// <summary>Too many failed sign-ins from this network: nothing was checked; answer 429 with <see cref="SignInDecision.RetryAfter"/>.</summary>
    Throttled,

    /// <summary>The secret was right, but the risk engine's score is past the policy's deny threshold (reasons in the audit log).</summary>
    Denied,
}

public enum LockoutReason
{
    FailedAttempts,
    Administrator,
}

/// <summary>Why an account whose secret was right may not sign in yet.</summary>
public enum NotAllowedReason
{
    /// <summary>Email confirmation is required and the address is not confirmed.</summary>
    EmailUnconfirmed,
}

/// <summary>Why a proof was refused, for the page's message (never for telling accounts apart).</summary>
public enum RefusalKind
{
    WrongSecret,

    /// <summary>An authenticator code that was already used.</summary>
    Replayed,

    /// <summary>A message code that can no longer be used: a new one must be sent.</summary>
    NeedsNewCode,
}

/// <param name="Method">How the user signed in, as an RFC 8176 style code ("pwd", "otp", "sms", "hwk", "qr"...), when done.</param>
/// <param name="AttemptsLeft">Failures left before the account locks, when 2 or fewer remain (the page says so).</param>
/// <param name="Methods">When a second factor is owed: the ways to give it, the one to offer first (<see cref="Preferred"/>) at the top.</param>
/// <param name="NotAllowedBecause">When <see cref="SignInStep.NotAllowed"/>: why.</param>
/// <param name="EnrolFirst">Signed in, but past the MFA policy's deadline without a second factor: enrolment comes first.</param>
/// <param name="Unusual">The second step is owed because the risk engine found the sign-in unusual (a step-up).</param>
public sealed record SignInDecision(
    SignInStep Step,
    string? UserId = null,
    DateTimeOffset? LockedUntil = null,
    string? Method = null,
    LockoutReason? Lockout = null,
    RefusalKind Refusal = RefusalKind.WrongSecret,
    int? AttemptsLeft = null,
    int? CodeAttemptsLeft = null,
    bool EnrolFirst = false,
    TimeSpan? RetryAfter = null,
    IReadOnlyList<SecondStepMethod>? Methods = null,
    NotAllowedReason? NotAllowedBecause = null,
    bool Unusual = false)
{
    /// <summary>The way to offer first for the second step: the one used most recently, else the strongest.</summary>
    public SecondStepMethod? Preferred => Methods is { Count: > 0 } methods ? methods[0] : null;

    public static readonly SignInDecision Refused = new(SignInStep.Refused);
}
