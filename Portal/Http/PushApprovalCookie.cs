using Tessera.Domain.CrossDevice;

namespace Tessera.Portal.Http;

/// <summary>
/// Binds a pushed sign-in request to the browser that asked: an HttpOnly cookie holding the request's nonce, sent only
/// to that request's status and redeem endpoints.
/// </summary>
public static class PushApprovalCookie
{
    public const string Name = "Tessera.PushApproval";

    public static string RequestPath(Guid id) => $"/push/approvals/{id}";

    public static void Set(HttpContext http, PushRequested request) =>
        http.Response.Cookies.Append(Name, request.BrowserNonce ?? "", new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            // Strict: a link from another site must not carry the binding along.
            SameSite = SameSiteMode.Strict,
            Path = RequestPath(request.Id),
            Expires = request.ExpiresAt + PushApprovals.RedeemWindow,
        });
}
