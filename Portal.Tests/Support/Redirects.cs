namespace Tessera.Portal.Tests.Support;

public static class Redirects
{
    /// <summary>Where a redirect points, as a path and query of this site (the app may answer with an absolute URL).</summary>
    public static string? Target(this HttpResponseMessage response) =>
        response.Headers.Location is { } location ? new Uri(new Uri("http://localhost"), location).PathAndQuery : null;

    /// <summary>The path alone of where a redirect points.</summary>
    public static string? TargetPath(this HttpResponseMessage response) =>
        response.Headers.Location is { } location ? new Uri(new Uri("http://localhost"), location).AbsolutePath : null;
}
