using Tessera.Domain.CrossDevice;

namespace Tessera.Portal.Http;

/// <summary>
/// The cookie that binds a QR sign-in session to the browser that started it: set by the laptop's page when it shows
/// the code, read by the status and redeem endpoints.
/// </summary>
public static class QrSignInCookie
{
    /// <summary>Its path is the session's own, so each tab's session has its own cookie.</summary>
    public const string Name = "Tessera.QrSignIn";

    public static string SessionPath(Guid id) => $"/qr/sessions/{id}";

    public static void Set(HttpContext http, QrSignInCreated session) =>
        http.Response.Cookies.Append(Name, session.BrowserNonce, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            // Strict: a link from another site must not carry the binding along.
            SameSite = SameSiteMode.Strict,
            Path = SessionPath(session.Id),
            Expires = session.ExpiresAt + QrSignIn.RedeemWindow,
        });
}
