namespace Tessera.Portal.Http;

/// <summary>The answer of a sign-in, registration or forgot-password page to a network past its hourly failures: 429.</summary>
public static class TooManyAttempts
{
    /// <summary>Sets 429 and Retry-After on the response and returns the sentence the page shows.</summary>
    public static string Answer(HttpContext http, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var minutes = (int)Math.Ceiling(wait.TotalMinutes);
        return $"Error: Too many failed sign-ins from your network. Try again in {minutes} {(minutes == 1 ? "minute" : "minutes")}.";
    }
}
