using Tessera.Domain.Policies;
using Tessera.Domain.SignIn;

namespace Tessera.Portal.Hosting;

public static class SignInExtensions
{
    public static IHostApplicationBuilder AddSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AttemptCounters>();
        builder.Services.AddScoped<SignInService>();
        builder.Services.AddSingleton<MfaRequirement>();
        return builder;
    }

    /// <summary>
    /// After the MFA policy's deadline, a signed-in user who must have a second factor and has none reaches only the
    /// enrolment pages (and signing out): every other page redirects there. Circuits are held to it by the layout.
    /// </summary>
    public static WebApplication UseMfaEnforcement(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var user = context.User;
            var path = context.Request.Path.Value ?? "/";
            // Pages only: scripts, styles, the hub and the API are not pages (the hub's circuits are checked by the layout).
            var isPage = HttpMethods.IsGet(context.Request.Method) && !Path.HasExtension(path)
                && !path.StartsWith("/_", StringComparison.Ordinal) && !path.StartsWith("/api/", StringComparison.Ordinal);
            if (isPage && user.Identity?.IsAuthenticated == true && !MfaRequirement.IsAllowed(path)
                && user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is { } userId)
            {
                var roles = user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value).ToList();
                var mfa = context.RequestServices.GetRequiredService<MfaRequirement>();
                if (roles.Count > 0 && (await mfa.StatusAsync(userId, roles, context.RequestAborted)).MustEnrollNow)
                {
                    context.Response.Redirect(MfaRequirement.EnrolmentPath);
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

    /// <summary>The client as the sign-in service sees it: the address after trusted proxies, the browser, its device cookie.</summary>
    public static ClientContext ClientContext(this HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), DeviceCookie.Read(http));
}
