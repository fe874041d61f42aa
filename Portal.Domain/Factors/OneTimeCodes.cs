using System.Text;
using OtpNet;

namespace Tessera.Domain.Factors;

/// <summary>
/// The one place Tessera computes and checks HOTP (RFC 4226) and TOTP (RFC 6238) codes, with Otp.NET.
/// Time is always passed in (from the injected TimeProvider), never read from the wall clock here.
/// </summary>
public static class OneTimeCodes
{
    public const int SecretBytes = 20;
    public const int Digits = 6;
    public const int StepSeconds = 30;

    /// <summary>The time step whose code matches, within ±<paramref name="window"/> steps of <paramref name="at"/>; null if none.</summary>
    public static long? MatchTotp(byte[] secret, string code, DateTimeOffset at, int window,
        OtpHashMode mode = OtpHashMode.Sha1, int digits = Digits, int stepSeconds = StepSeconds)
    {
        if (!IsWellFormed(code, digits))
        {
            return null;
        }
        var totp = new Totp(secret, stepSeconds, mode, digits);
        // Otp.NET compares codes in constant time: a near miss must not answer faster than a far one.
        return totp.VerifyTotp(at.UtcDateTime, code, out var step, new VerificationWindow(previous: window, future: window))
            ? step
            : null;
    }

    public static string ComputeTotp(byte[] secret, DateTimeOffset at, OtpHashMode mode = OtpHashMode.Sha1, int digits = Digits, int stepSeconds = StepSeconds) =>
        new Totp(secret, stepSeconds, mode, digits).ComputeTotp(at.UtcDateTime);

    public static bool MatchHotp(byte[] secret, string code, long counter, OtpHashMode mode = OtpHashMode.Sha1, int digits = Digits) =>
        IsWellFormed(code, digits) && new Hotp(secret, mode, digits).VerifyHotp(code, counter);

    public static string ComputeHotp(byte[] secret, long counter, OtpHashMode mode = OtpHashMode.Sha1, int digits = Digits) =>
        new Hotp(secret, mode, digits).ComputeHOTP(counter);

    /// <summary>The time step that contains <paramref name="at"/>.</summary>
    public static long StepAt(DateTimeOffset at, int stepSeconds = StepSeconds) => at.ToUnixTimeSeconds() / stepSeconds;

    /// <summary>The Key URI Format that authenticator apps read from a QR code.</summary>
    public static string KeyUri(byte[] secret, string issuer, string account) =>
        new OtpUri(OtpType.Totp, Base32Encoding.ToString(secret), account, issuer, OtpHashMode.Sha1, Digits, StepSeconds).ToString();

    /// <summary>The secret as base32 in groups of four, for typing into an app by hand.</summary>
    public static string GroupedBase32(byte[] secret)
    {
        var text = Base32Encoding.ToString(secret).TrimEnd('=');
        var grouped = new StringBuilder(text.Length + text.Length / 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                grouped.Append(' ');
            }
            grouped.Append(text[i]);
        }
        return grouped.ToString();
    }

    /// <summary>Strips the spaces people type; anything else than digits of the right length is not a code.</summary>
    public static string Normalize(string? code) => new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());

    private static bool IsWellFormed(string code, int digits) => code.Length == digits && code.All(char.IsAsciiDigit);
}
