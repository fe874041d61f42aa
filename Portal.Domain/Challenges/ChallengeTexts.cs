using Tessera.Domain.Contacts;
namespace Tessera.Domain.Challenges;

/// <summary>Where the texts come from: the product name people know, and the domain WebOTP binds the code to.</summary>
/// <param name="WebOtpDomain">The sign-in host (WebAuthn:ServerDomain): Android Chrome fills the code only on it.</param>
public sealed record ChallengeTextSettings(string ProductName, string WebOtpDomain);

/// <summary>
/// The messages that carry a code, one template per purpose and channel. Every text warns not to share the code;
/// an SMS ends with the WebOTP line (<c>@host #code</c>) so the browser can offer the code to the page that asked.
/// </summary>
public sealed class ChallengeTexts(ChallengeTextSettings settings)
{
    public Func<string, (string Subject, string Text)> For(string purpose, Channel channel) => code =>
    {
        var product = settings.ProductName;
        var what = Describe(purpose);
        var warning = $"Do not share it with anyone: {product} will never ask you for it.";
        return channel == Channel.Sms
            ? ($"{product} code", $"{code} is your {product} {what} code. {warning}\n\n@{settings.WebOtpDomain} #{code}")
            : ($"Your {product} {what} code",
                $"Your {product} {what} code is {code}. It works once and expires soon. {warning} If you did not ask for it, ignore this message and consider changing your password.");
    };

    private static string Describe(string purpose) => purpose switch
    {
        "sign-in" => "sign-in",
        "verify-phone" => "phone verification",
        "verify-email" => "email verification",
        "step-up" => "confirmation",
        _ => "verification",
    };
}
