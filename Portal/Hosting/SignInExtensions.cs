using Tessera.Domain.Policies;
using Tessera.Domain.SignIn;

namespace Tessera.Portal.Hosting;

public static class SignInExtensions
{
    public static IHostApplicationBuilder AddSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AttemptCounters>();
        builder.Services.AddScoped<SignInService>();
        return builder;
    }

    /// <summary>The client as the sign-in service sees it: the address after trusted proxies, and the browser.</summary>
    public static ClientContext ClientContext(this HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
}
