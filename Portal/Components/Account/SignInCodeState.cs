using Microsoft.AspNetCore.DataProtection;

namespace Tessera.Portal.Components.Account;

/// <summary>The code sent during a pending sign-in.</summary>
/// <param name="SentAt">When it was sent, for the page's "Send a new code" countdown; null in a cookie of an older version.</param>
public sealed record SentSignInCode(string UserId, Guid ChallengeId, string Target, DateTimeOffset? SentAt = null);

/// <summary>
/// Remembers which code was sent during a two-step sign-in, in a short-lived cookie that Data Protection encrypts and
/// signs: the browser cannot read or change it. It is still never trusted alone: it must name the pending user, and
/// the challenge is checked with that user's binding.
/// </summary>
public sealed class SignInCodeState(IDataProtectionProvider protection)
{
    public const string CookieName = "Tessera.SignInCode";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Tessera.Account.SignInCode").ToTimeLimitedDataProtector();

    public void Save(HttpContext http, SentSignInCode sent) =>
        http.Response.Cookies.Append(CookieName, protector.Protect($"{sent.UserId}\n{sent.ChallengeId:N}\n{sent.Target}\n{sent.SentAt?.ToUnixTimeMilliseconds()}", Lifetime), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            IsEssential = true,
            Path = "/Account",
            MaxAge = Lifetime,
        });

    /// <summary>The code sent to <paramref name="userId"/>; null when there is none, or the cookie is someone else's or tampered with.</summary>
    public SentSignInCode? Read(HttpContext http, string userId)
    {
        if (http.Request.Cookies[CookieName] is not { Length: > 0 } value)
        {
            return null;
        }
        try
        {
            var parts = protector.Unprotect(value).Split('\n');
            if (parts.Length is not (3 or 4) || parts[0] != userId || !Guid.TryParseExact(parts[1], "N", out var id))
            {
                return null;
            }
            DateTimeOffset? sentAt = parts.Length == 4 && long.TryParse(parts[3], out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            return new SentSignInCode(parts[0], id, parts[2], sentAt);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public static void Clear(HttpContext http) => http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/Account" });
}
