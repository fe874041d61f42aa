using MudBlazor.Services;
using Tessera.Portal.Components;

namespace Tessera.Portal.Hosting;

public static class UiExtensions
{
    public static IHostApplicationBuilder AddUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddProblemDetails();
        // Tessera speaks English. Hangfire's dashboard writes the UI culture into <html lang>, which on a server without
        // a locale is the invariant culture ("iv"); formatting stays invariant (every page formats dates itself).
        builder.Services.Configure<Microsoft.AspNetCore.Builder.RequestLocalizationOptions>(options =>
        {
            var english = new System.Globalization.CultureInfo("en");
            options.DefaultRequestCulture = new Microsoft.AspNetCore.Localization.RequestCulture(System.Globalization.CultureInfo.InvariantCulture, english);
            options.SupportedCultures = [System.Globalization.CultureInfo.InvariantCulture];
            options.SupportedUICultures = [english];
            options.RequestCultureProviders.Clear();
        });
        return builder;
    }

    /// <summary>The request pipeline: errors for people, then the platform middleware in the order ASP.NET Core needs.</summary>
    public static WebApplication UseTesseraPipeline(this WebApplication app)
    {
        app.UseNetwork();
        // Before anything that can answer, so error pages and redirects carry the headers too.
        app.UseSecurityHeadersAndCookiePolicy();
        app.UseRequestLocalization();
        // Never a stack trace in a response: unexpected errors render the Error page (or problem details for APIs).
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseDevelopmentOnlyPaths();
        app.UseDeviceCookie();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMfaEnforcement();
        app.UseAntiforgery();
        return app;
    }

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapStaticAssets();
        // The security headers send frame-ancestors 'none' for every response; Blazor's own 'self' would be a second CSP.
        endpoints.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
        return endpoints;
    }
}
