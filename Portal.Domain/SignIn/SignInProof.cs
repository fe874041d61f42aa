namespace Tessera.Domain.SignIn;

/// <summary>What a user gives to finish a sign-in (or to sign in without a password). One type per kind of proof.</summary>
public abstract record SignInProof
{
    /// <summary>The session method code a successful proof of this kind gives.</summary>
    public abstract string Method { get; }
}

/// <summary>A code from an authenticator app.</summary>
public sealed record TotpProof(string Code) : SignInProof
{
    public override string Method => SignInMethods.Totp;
}

public sealed record RecoveryCodeProof(string Code) : SignInProof
{
    public override string Method => SignInMethods.RecoveryCode;
}

/// <summary>A code sent by SMS (<paramref name="PhoneId"/> set) or by email.</summary>
public sealed record MessageCodeProof(Guid ChallengeId, string Code, Guid? PhoneId) : SignInProof
{
    public override string Method => PhoneId is null ? SignInMethods.EmailCode : SignInMethods.Sms;
}

/// <summary>A WebAuthn assertion for a challenge Tessera issued.</summary>
public sealed record PasskeyProof(Guid ChallengeId, string ResponseJson) : SignInProof
{
    public override string Method => SignInMethods.Passkey;
}

/// <summary>A QR sign-in approved on a signed-in phone, redeemed by the browser that holds the session's nonce.</summary>
public sealed record QrApprovalProof(Guid SessionId, string? BrowserNonce) : SignInProof
{
    public override string Method => SignInMethods.QrApproval;
}

/// <summary>A sign-in's second step approved on one of the user's push devices, redeemed by the browser that asked.</summary>
public sealed record PushApprovalProof(Guid ApprovalId, string? BrowserNonce) : SignInProof
{
    public override string Method => SignInMethods.Push;
}

/// <summary>The method codes (RFC 8176 where it has one) and how the sessions list says them.</summary>
public static class SignInMethods
{
    public const string Password = "pwd";
    public const string RememberedDevice = "pwd+rmb";
    public const string Totp = "otp";
    public const string RecoveryCode = "rc";
    public const string Sms = "sms";
    public const string EmailCode = "email";
    public const string Passkey = "hwk";
    public const string QrApproval = "qr";
    public const string Push = "push";
    public const string Registration = "reg";

    /// <summary>Words for the sessions list; <paramref name="afterPassword"/> when the proof was a second step.</summary>
    public static string Describe(string method, bool afterPassword) => method switch
    {
        Password => "password",
        RememberedDevice => "password on a remembered device",
        Totp => "password and authenticator app",
        RecoveryCode => "password and recovery code",
        Sms => "password and SMS code",
        EmailCode => "password and email code",
        Passkey => afterPassword ? "password and passkey" : "passkey, passwordless",
        QrApproval => "QR approval",
        Push => afterPassword ? "password and push approval" : "push approval, passwordless",
        Registration => "registration",
        _ => method,
    };
}
