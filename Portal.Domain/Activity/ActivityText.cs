using Tessera.Domain.Audit;

namespace Tessera.Domain.Activity;

/// <summary>What a line of the feed is about: the activity page filters by it.</summary>
public enum ActivityKind
{
    SignIns,
    Methods,
    Account,
    Sessions,
    Administration,
    System,
}

/// <summary>The picture next to a line; the pages map it to an icon.</summary>
public enum ActivityIcon
{
    SignIn,
    SignInFailed,
    SignOut,
    Passkey,
    Authenticator,
    Phone,
    RecoveryCodes,
    Password,
    Email,
    Account,
    Sessions,
    Administrator,
    Alert,
    QrCode,
    Push,
    System,
}

/// <param name="Sentence">A sentence for people: no event codes, ids, pseudonyms or <c>key=value</c> text.</param>
/// <param name="IsAlert">Something the owner should look at (a refused copy of a passkey, a reused code, a lockout).</param>
public sealed record ActivityLine(string Sentence, ActivityKind Kind, ActivityIcon Icon, bool IsAlert = false);

/// <summary>Who the sentences are about: "You" in the security center, the person's address in the admin console.</summary>
/// <param name="Possessive">After the subject: "You changed your password", "bob@example.com changed their password".</param>
/// <param name="Owner">Where the sentence has no subject: "Someone tried to sign in to bob@example.com's account".</param>
public sealed record ActivityVoice(string Subject, string Possessive, string Owner)
{
    public static ActivityVoice You { get; } = new("You", "your", "your");

    /// <summary>For an event about no known account (a sign-in attempt at an address that does not exist).</summary>
    public static ActivityVoice Unknown { get; } = new("Someone", "their", "an unknown");

    public static ActivityVoice Named(string name) => new(name, "their", $"{name}'s");
}

/// <summary>
/// The one mapping from an audit event to a sentence (the security center, <c>/security/activity</c> and the admin
/// user page all use it), and which events a person's feed shows at all: the internal steps of a sign-in or an
/// enrolment (<c>challenge.*</c>, a verified code, a mistyped confirmation code) fold into the event they lead to.
/// </summary>
public static class ActivityText
{
    /// <summary>Never shown in a person's feed: steps of a larger event, or events that are not about a person.</summary>
    public static IReadOnlyList<string> HiddenTypes { get; } =
    [
        AuditEventTypes.ChallengeCreated, AuditEventTypes.ChallengeChecked, AuditEventTypes.ChallengeResent, AuditEventTypes.ChallengeCanceled,
        AuditEventTypes.PasswordVerified, AuditEventTypes.SecurityNoticeSent, AuditEventTypes.AccountEmailRefused,
        AuditEventTypes.QrSignInCreated, AuditEventTypes.QrSignInScanned, AuditEventTypes.QrSignInExpired, AuditEventTypes.QrSignInRedeemed,
        AuditEventTypes.AuditExported, AuditEventTypes.AuditCheckpointWritten, AuditEventTypes.AuditRetentionApplied, AuditEventTypes.DataRetentionApplied, AuditEventTypes.AuditSubjectsPseudonymised, AuditEventTypes.KeysRotated, AuditEventTypes.KeyRotationRequested,
        AuditEventTypes.PasskeyModelPolicyChanged, AuditEventTypes.PoliciesChanged, AuditEventTypes.DeliveryRetried,
        AuditEventTypes.ApiClientCreated, AuditEventTypes.ApiClientRevoked,
    ];

    /// <summary>Shown only when they failed: a successful check is part of the sign-in it belongs to.</summary>
    public static IReadOnlyList<string> HiddenWhenSucceeded { get; } =
        [AuditEventTypes.AuthenticatorVerified, AuditEventTypes.PasskeyVerified, AuditEventTypes.RiskAllowed];

    /// <summary>Shown only when they succeeded: a failure is a mistyped code or a cancelled dialog while setting something up.</summary>
    public static IReadOnlyList<string> HiddenWhenFailed { get; } =
    [
        AuditEventTypes.AuthenticatorAdded, AuditEventTypes.PasskeyAdded, AuditEventTypes.PhoneAdded, AuditEventTypes.PhoneVerified,
        AuditEventTypes.RecoveryCodesGenerated, AuditEventTypes.EmailChangeRequested, AuditEventTypes.AuthenticatorRenamed,
        AuditEventTypes.PasskeyRenamed, AuditEventTypes.AuthenticatorRemoved, AuditEventTypes.PasskeyRemoved, AuditEventTypes.PhoneRemoved,
    ];

    /// <summary>Whether a person's feed shows this event.</summary>
    public static bool IsShown(string type, AuditOutcome outcome) =>
        !HiddenTypes.Contains(type)
        && !(outcome == AuditOutcome.Success && HiddenWhenSucceeded.Contains(type))
        && !(outcome == AuditOutcome.Failure && HiddenWhenFailed.Contains(type));

    /// <summary>The types of one kind, for the activity page's filter.</summary>
    public static IReadOnlyList<string> TypesOf(ActivityKind kind) =>
        AuditEventTypes.All.Where(type => Describe(type, AuditOutcome.Success, null, ActivityVoice.You).Kind == kind).ToList();

    public static ActivityLine Describe(AuditEvent e, ActivityVoice voice) => Describe(e.Type, e.Outcome, e.Detail, voice);

    public static ActivityLine Describe(string type, AuditOutcome outcome, string? detail, ActivityVoice voice)
    {
        var you = voice.Subject;
        var your = voice.Possessive;
        var owner = voice.Owner;
        var ok = outcome == AuditOutcome.Success;
        var line = type switch
        {
            AuditEventTypes.Registered => new ActivityLine($"{you} created {your} account", ActivityKind.Account, ActivityIcon.Account),
            AuditEventTypes.EmailConfirmed => new ActivityLine($"{you} confirmed {your} email address", ActivityKind.Account, ActivityIcon.Email),
            AuditEventTypes.SignIn => ok
                ? new ActivityLine($"{you} signed in with {SignInMethodOf(detail)}", ActivityKind.SignIns, ActivityIcon.SignIn)
                : new ActivityLine(FailedSignIn(detail, owner), ActivityKind.SignIns, ActivityIcon.SignInFailed),
            AuditEventTypes.PasswordVerified => new ActivityLine($"{Cap(owner)} password was checked", ActivityKind.SignIns, ActivityIcon.Password),
            AuditEventTypes.LockedOut => Refused(detail)
                ? new ActivityLine($"A sign-in was refused while {owner} account was locked", ActivityKind.SignIns, ActivityIcon.SignInFailed)
                : new ActivityLine($"{Cap(owner)} account was locked for a while after too many wrong passwords", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.SignOut => new ActivityLine($"{you} signed out", ActivityKind.Sessions, ActivityIcon.SignOut),
            AuditEventTypes.SessionEnded => new ActivityLine($"{you} signed out one of {your} other sessions", ActivityKind.Sessions, ActivityIcon.Sessions),
            AuditEventTypes.OtherSessionsEnded => new ActivityLine($"{you} signed out all {your} other sessions", ActivityKind.Sessions, ActivityIcon.Sessions),
            AuditEventTypes.PasswordResetRequested => new ActivityLine($"A link to reset {owner} password was requested", ActivityKind.Account, ActivityIcon.Password),
            AuditEventTypes.PasswordReset => ok
                ? new ActivityLine($"{Cap(owner)} password was reset with an emailed link", ActivityKind.Account, ActivityIcon.Password)
                : new ActivityLine($"A password reset for {owner} account was refused", ActivityKind.Account, ActivityIcon.Password),
            AuditEventTypes.PasswordChanged => ok
                ? new ActivityLine($"{you} changed {your} password", ActivityKind.Account, ActivityIcon.Password)
                : new ActivityLine($"A change of {owner} password was refused: the current password was wrong", ActivityKind.Account, ActivityIcon.Password, IsAlert: true),
            AuditEventTypes.EmailChangeRequested => new ActivityLine($"{you} asked to change {your} email address", ActivityKind.Account, ActivityIcon.Email),
            AuditEventTypes.EmailChanged => ok
                ? new ActivityLine($"{you} changed {your} email address", ActivityKind.Account, ActivityIcon.Email)
                : new ActivityLine($"A change of {owner} email address did not go through", ActivityKind.Account, ActivityIcon.Email),
            AuditEventTypes.NotMe => new ActivityLine($"{you} reported \"This wasn't me\": every session was signed out", ActivityKind.Sessions, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.SecurityNoticeSent => new ActivityLine($"A security email was sent to {owner} address", ActivityKind.Account, ActivityIcon.Email),
            AuditEventTypes.AccountEmailRefused => new ActivityLine($"An email to {owner} address was held back: too many were asked for", ActivityKind.Account, ActivityIcon.Email),
            AuditEventTypes.RoleGranted => new ActivityLine($"{you} became an administrator", ActivityKind.Administration, ActivityIcon.Administrator),
            AuditEventTypes.RoleRevoked => new ActivityLine($"{Cap(owner)} administrator role was removed", ActivityKind.Administration, ActivityIcon.Administrator),
            AuditEventTypes.AuthenticatorAdded => ok
                ? new ActivityLine($"{you} added an authenticator app", ActivityKind.Methods, ActivityIcon.Authenticator)
                : new ActivityLine("An authenticator app was not added", ActivityKind.Methods, ActivityIcon.Authenticator),
            AuditEventTypes.AuthenticatorRenamed => new ActivityLine($"{you} renamed an authenticator app", ActivityKind.Methods, ActivityIcon.Authenticator),
            AuditEventTypes.AuthenticatorRemoved => new ActivityLine($"{you} removed an authenticator app", ActivityKind.Methods, ActivityIcon.Authenticator),
            AuditEventTypes.AuthenticatorVerified => ok
                ? new ActivityLine("An authenticator app code was accepted", ActivityKind.SignIns, ActivityIcon.Authenticator)
                : new ActivityLine("A wrong authenticator app code was entered", ActivityKind.SignIns, ActivityIcon.SignInFailed),
            AuditEventTypes.AuthenticatorReplay => new ActivityLine("An authenticator app code was used a second time and refused", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.RecoveryCodeUsed => ok
                ? new ActivityLine($"{you} used a recovery code", ActivityKind.SignIns, ActivityIcon.RecoveryCodes)
                : new ActivityLine("A wrong recovery code was entered", ActivityKind.SignIns, ActivityIcon.SignInFailed),
            AuditEventTypes.RecoveryCodesGenerated => new ActivityLine($"{you} created new recovery codes", ActivityKind.Methods, ActivityIcon.RecoveryCodes),
            AuditEventTypes.SecondFactorLockedOut => Refused(detail)
                ? new ActivityLine("A second-step code was refused while codes were locked", ActivityKind.SignIns, ActivityIcon.SignInFailed)
                : new ActivityLine("Second-step codes were locked for a while after too many wrong codes", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.PasskeyAdded => ok
                ? new ActivityLine($"{you} added a passkey", ActivityKind.Methods, ActivityIcon.Passkey)
                : new ActivityLine("A passkey was not added", ActivityKind.Methods, ActivityIcon.Passkey),
            AuditEventTypes.PasskeyRenamed => new ActivityLine($"{you} renamed a passkey", ActivityKind.Methods, ActivityIcon.Passkey),
            AuditEventTypes.PasskeyRemoved => new ActivityLine($"{you} removed a passkey", ActivityKind.Methods, ActivityIcon.Passkey),
            AuditEventTypes.PasskeyVerified => ok
                ? new ActivityLine("A passkey was accepted", ActivityKind.SignIns, ActivityIcon.Passkey)
                : new ActivityLine("A passkey was refused", ActivityKind.SignIns, ActivityIcon.SignInFailed),
            AuditEventTypes.PasskeyCloneSuspected => new ActivityLine("A passkey was refused because it looked copied", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.PhoneAdded => ok
                ? new ActivityLine($"{you} added a phone number", ActivityKind.Methods, ActivityIcon.Phone)
                : new ActivityLine("A phone number was not added", ActivityKind.Methods, ActivityIcon.Phone),
            AuditEventTypes.PhoneVerified => ok
                ? new ActivityLine($"{you} verified a phone number", ActivityKind.Methods, ActivityIcon.Phone)
                : new ActivityLine("A wrong code was entered to verify a phone number", ActivityKind.Methods, ActivityIcon.Phone),
            AuditEventTypes.PhoneRemoved => new ActivityLine($"{you} removed a phone number", ActivityKind.Methods, ActivityIcon.Phone),
            AuditEventTypes.ChallengeCreated => new ActivityLine("A one-time code was sent", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.ChallengeChecked => new ActivityLine(ok ? "A one-time code was accepted" : "A wrong one-time code was entered", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.ChallengeResent => new ActivityLine("A one-time code was sent again", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.ChallengeCanceled => new ActivityLine("A one-time code was cancelled", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.QrSignInCreated => new ActivityLine("A QR sign-in was started", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.QrSignInScanned => new ActivityLine("A QR sign-in code was scanned", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.QrSignInApproved => new ActivityLine($"{you} approved a sign-in on another device with a QR code", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.QrSignInDenied => new ActivityLine($"{you} denied a sign-in on another device", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.QrSignInNotMe => new ActivityLine($"{you} reported a QR sign-in on another device as not yours", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.QrSignInExpired => new ActivityLine("A QR sign-in code expired unused", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.QrSignInRedeemed => new ActivityLine("A QR sign-in was completed", ActivityKind.SignIns, ActivityIcon.QrCode),
            AuditEventTypes.PushRequested => ok
                ? new ActivityLine("A sign-in approval request was pushed to your devices", ActivityKind.SignIns, ActivityIcon.Push)
                : new ActivityLine("A sign-in approval request was not pushed (too many, or one was open)", ActivityKind.SignIns, ActivityIcon.Push),
            AuditEventTypes.PushApproved => ok
                ? new ActivityLine($"{you} approved a sign-in request on a push device", ActivityKind.SignIns, ActivityIcon.Push)
                : new ActivityLine("A sign-in request was ended: the number typed on the push device was wrong", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.PushDenied => new ActivityLine($"{you} denied a sign-in request on a push device", ActivityKind.SignIns, ActivityIcon.Push),
            AuditEventTypes.PushNotMe => new ActivityLine($"{you} reported a pushed sign-in request as not yours", ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: true),
            AuditEventTypes.PushExpired => new ActivityLine("A pushed sign-in request expired unanswered", ActivityKind.SignIns, ActivityIcon.Push),
            AuditEventTypes.PushRedeemed => new ActivityLine("A sign-in approved by push was completed", ActivityKind.SignIns, ActivityIcon.Push),
            AuditEventTypes.PushDeviceAdded => ok
                ? new ActivityLine($"{you} added a device for sign-in approvals", ActivityKind.Methods, ActivityIcon.Push)
                : new ActivityLine("A device for sign-in approvals was not added", ActivityKind.Methods, ActivityIcon.Push),
            AuditEventTypes.PushDeviceRenamed => new ActivityLine($"{you} renamed a device for sign-in approvals", ActivityKind.Methods, ActivityIcon.Push),
            AuditEventTypes.PushDeviceRemoved => new ActivityLine($"{you} removed a device for sign-in approvals", ActivityKind.Methods, ActivityIcon.Push),
            AuditEventTypes.PushDeviceGone => new ActivityLine("A device for sign-in approvals was removed: its browser no longer accepts pushes", ActivityKind.Methods, ActivityIcon.Push),
            AuditEventTypes.UserLocked => new ActivityLine($"An administrator locked {owner} account", ActivityKind.Administration, ActivityIcon.Administrator, IsAlert: true),
            AuditEventTypes.UserUnlocked => new ActivityLine($"An administrator unlocked {owner} account", ActivityKind.Administration, ActivityIcon.Administrator),
            AuditEventTypes.SecondFactorsReset => ok
                ? new ActivityLine($"An administrator removed {owner} second factors", ActivityKind.Administration, ActivityIcon.Administrator, IsAlert: true)
                : new ActivityLine($"An administrator's reset of {owner} second factors was refused", ActivityKind.Administration, ActivityIcon.Administrator),
            AuditEventTypes.SessionsRevoked => new ActivityLine($"An administrator signed out all {owner} sessions", ActivityKind.Administration, ActivityIcon.Administrator),
            AuditEventTypes.DeliveryRetried => new ActivityLine("An administrator sent a failed message again", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.AuditExported => new ActivityLine("The audit log was exported", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.AuditCheckpointWritten => new ActivityLine("The audit log was sealed with a signed checkpoint", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.AuditRetentionApplied => new ActivityLine(ok ? "Old audit events were removed after the retention period" : "Removing old audit events was refused", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.KeyRotationRequested => new ActivityLine(ok ? "An administrator asked for the encryption keys to be rotated" : "A request to rotate the encryption keys was refused", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.KeysRotated => new ActivityLine("The encryption keys were rotated and stored secrets re-encrypted", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.AuditSubjectsPseudonymised => new ActivityLine("The audit log was rewritten to name people by pseudonym", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.AccountDataExported => new ActivityLine($"{you} downloaded a copy of {your} data", ActivityKind.Account, ActivityIcon.Account),
            AuditEventTypes.AccountDeleted => ok
                ? new ActivityLine("The account was deleted", ActivityKind.Account, ActivityIcon.Account, IsAlert: true)
                : new ActivityLine("Deleting the account was refused", ActivityKind.Account, ActivityIcon.Account),
            AuditEventTypes.DataRetentionApplied => new ActivityLine("Finished codes, messages and sign-in sessions past their retention period were deleted", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.PasskeyModelPolicyChanged => new ActivityLine("The list of allowed passkey models was changed", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.PoliciesChanged => new ActivityLine(ok ? "The sign-in and message policies were changed" : "A policy change was not saved", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.ApiClientCreated => new ActivityLine("An API client was created", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.ApiClientRevoked => new ActivityLine("An API client's key was revoked", ActivityKind.System, ActivityIcon.System),
            AuditEventTypes.RiskAllowed or AuditEventTypes.RiskStepUp or AuditEventTypes.RiskDenied => RiskLine(type == AuditEventTypes.RiskAllowed, detail, owner),
            AuditEventTypes.DeviceTrusted => new ActivityLine($"{you} chose to remember a device for a while", ActivityKind.Sessions, ActivityIcon.Sessions),
            AuditEventTypes.DeviceRenamed => new ActivityLine($"{you} renamed a device", ActivityKind.Sessions, ActivityIcon.Sessions),
            AuditEventTypes.DeviceForgotten => new ActivityLine($"{you} forgot a device: it is no longer remembered", ActivityKind.Sessions, ActivityIcon.Sessions),
            _ => new ActivityLine("Something else happened to the account", ActivityKind.System, ActivityIcon.System),
        };
        return line;
    }

    /// <summary>"with password and authenticator app", from the sign-in event's detail ("with …").</summary>
    private static string SignInMethodOf(string? detail)
    {
        var method = detail is not null && detail.StartsWith("with ", StringComparison.Ordinal) ? detail[5..] : null;
        return method switch
        {
            "passkey, passwordless" => "a passkey (no password)",
            "QR approval" => "a QR code approved on your phone",
            "registration" => "a new account",
            null or "" => "a password",
            _ when method.Contains('=') => "a password",
            _ => method.StartsWith("password", StringComparison.Ordinal) ? $"a {method}" : method,
        };
    }

    private static string FailedSignIn(string? detail, string your) => detail switch
    {
        not null when detail.Contains("wrong password", StringComparison.Ordinal) => $"Someone tried to sign in to {your} account with a wrong password",
        not null when detail.Contains("not confirmed", StringComparison.Ordinal) => $"A sign-in waited for {your} email address to be confirmed",
        not null when detail.Contains("too many", StringComparison.Ordinal) => $"A sign-in to {your} account was refused: too many attempts",
        not null when detail.Contains("risk score", StringComparison.Ordinal) => $"A sign-in to {your} account was blocked: it looked too unlike the usual ones",
        not null when detail.StartsWith("passkey", StringComparison.Ordinal) => "A sign-in with a passkey was refused",
        _ => $"A sign-in to {your} account was refused",
    };

    /// <summary>The risk engine's decision, from its detail ("step-up (dry run: not enforced) for password; score …").</summary>
    private static ActivityLine RiskLine(bool ok, string? detail, string owner)
    {
        var dryRun = detail?.Contains("dry run", StringComparison.Ordinal) == true;
        if (ok)
        {
            return new ActivityLine($"A sign-in to {owner} account looked usual", ActivityKind.SignIns, ActivityIcon.SignIn);
        }
        if (detail?.StartsWith("deny", StringComparison.Ordinal) == true)
        {
            return new ActivityLine(dryRun ? $"A sign-in to {owner} account looked unusual enough to block (recorded only)" : $"A sign-in to {owner} account looked too unusual and was blocked",
                ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: !dryRun);
        }
        return new ActivityLine(dryRun ? $"A sign-in to {owner} account looked unusual (recorded only)" : $"A sign-in to {owner} account looked unusual, so one more check was asked for",
            ActivityKind.SignIns, ActivityIcon.Alert, IsAlert: !dryRun);
    }

    private static bool Refused(string? detail) => detail?.Contains("refused", StringComparison.Ordinal) == true;

    /// <summary>"your" and "an unknown" open a sentence capitalised; a person's address keeps its own case.</summary>
    private static string Cap(string owner) => owner switch
    {
        "your" => "Your",
        "an unknown" => "An unknown",
        _ => owner,
    };
}
