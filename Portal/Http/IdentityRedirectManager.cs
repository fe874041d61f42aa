using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;

namespace Tessera.Portal.Http;

/// <summary>Redirects from statically rendered Identity pages, only ever to a path of this site.</summary>
internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri) => navigationManager.NavigateTo(ReturnUrls.LocalOrDefault(uri));

    /// <summary>The public home page (after signing out: the page the user was on may need the sign-in that just ended).</summary>
    public void RedirectToHome() => navigationManager.NavigateTo("/");

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var query = queryParameters.Where(p => p.Value is not null)
            .ToDictionary(p => p.Key, p => (string?)(p.Value is bool b ? (b ? "true" : "false") : p.Value!.ToString()));
        navigationManager.NavigateTo(QueryHelpers.AddQueryString(ReturnUrls.LocalOrDefault(uri), query));
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }
}
