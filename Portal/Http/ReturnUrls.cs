namespace Tessera.Portal.Http;

/// <summary>
/// The one check of a return URL, made before anything is signed in: only a path of this site, never another host
/// (<c>//evil.example</c>, <c>https://evil.example</c>, <c>/\evil.example</c>); anything else lands on the security
/// center. It never throws, so a foreign value cannot turn a finished sign-in into an error page.
/// </summary>
public static class ReturnUrls
{
    public const string Default = "/security";

    public static string LocalOrDefault(string? returnUrl)
    {
        if (string.IsNullOrWhiteSpace(returnUrl))
        {
            return Default;
        }
        var value = returnUrl.Trim();
        if (value.StartsWith("//", StringComparison.Ordinal) || value.Contains('\\') || value.Any(char.IsControl)
            || !Uri.IsWellFormedUriString(value, UriKind.Relative))
        {
            return Default;
        }
        var path = "/" + value.TrimStart('/');
        // "/" is the public home page: a sign-in lands where the signed-in user's things are.
        return path == "/" ? Default : path;
    }
}
