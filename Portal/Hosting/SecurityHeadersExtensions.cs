using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.CookiePolicy;
using NetEscapades.AspNetCore.SecurityHeaders;

namespace Tessera.Portal.Hosting;

/// <summary>
/// The response headers every page and endpoint sends (NetEscapades.AspNetCore.SecurityHeaders), and the cookie policy.
/// </summary>
public static class SecurityHeadersExtensions
{
    /// <summary>The script nonce of this request, for the few inline scripts the app writes itself (import map, API docs).</summary>
    public static string ScriptNonce(this HttpContext http) => http.GetNonce();

    public static IHostApplicationBuilder AddSecurityHeaders(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSecurityHeaderPolicies().SetDefaultPolicy(policy => Configure(policy, development));

        // One frame-ancestors and one X-Frame-Options, both from the policy above (Blazor and antiforgery would each add
        // a weaker 'self' / SAMEORIGIN of their own).
        builder.Services.Configure<AntiforgeryOptions>(options => options.SuppressXFrameOptionsHeader = true);

        // The library removes a Server header the app sets; Kestrel adds its own later unless told not to.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

        builder.Services.Configure<CookiePolicyOptions>(options =>
        {
            // Outside Development a cookie never travels over plain HTTP; in Development http://localhost must still work.
            options.Secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            // Every cookie the server sets is for the server; the two the scripts need (theme, time zone) are written by app.js.
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
        });
        return builder;
    }

    public static WebApplication UseSecurityHeadersAndCookiePolicy(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseCookiePolicy();
        return app;
    }

    private static void Configure(HeaderPolicyCollection policy, bool development)
    {
        policy.AddFrameOptionsDeny()
            .AddContentTypeOptionsNoSniff()
            // A page address can carry a token (reset links, QR approvals): other sites get the origin at most.
            .AddReferrerPolicyStrictOriginWhenCrossOrigin()
            .AddCrossOriginOpenerPolicy(coop => coop.SameOrigin())
            .AddCrossOriginResourcePolicy(corp => corp.SameOrigin())
            .RemoveServerHeader()
            .AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddBaseUri().Self();
                csp.AddObjectSrc().None();
                csp.AddFormAction().Self();
                csp.AddFrameAncestors().None();
                csp.AddFrameSrc().None();
                // Only the app's own files, and inline scripts the server wrote for this response (import map, API docs).
                // No 'unsafe-eval' and no 'unsafe-inline': an injected <script> or on* attribute does not run.
                csp.AddScriptSrc().Self().WithNonce();
                csp.AddScriptSrcAttr().None();
                // MudBlazor writes its theme as a <style> element and positions components through style attributes;
                // neither can carry a nonce. Styles run no script, and every value in them is the app's or encoded.
                csp.AddStyleSrc().Self().UnsafeInline();
                // QR codes are data: images.
                csp.AddImgSrc().Self().Data();
                csp.AddFontSrc().Self().Data();
                // 'self' covers the circuit's WebSocket (ws:/wss: of this origin).
                csp.AddConnectSrc().Self();
                csp.AddWorkerSrc().Self();
                csp.AddManifestSrc().Self();
            })
            .AddPermissionsPolicy(permissions =>
            {
                // Passkeys are the one powerful feature Tessera uses, and only on its own origin.
                permissions.AddPublickeyCredentialsCreate().Self();
                permissions.AddPublickeyCredentialsGet().Self();
                permissions.AddCamera().None();
                permissions.AddMicrophone().None();
                permissions.AddGeolocation().None();
                permissions.AddPayment().None();
                permissions.AddUsb().None();
                permissions.AddBluetooth().None();
                permissions.AddSerialPermissions().None();
                permissions.AddHid().None();
                permissions.AddDisplayCapture().None();
                permissions.AddMagnetometer().None();
                permissions.AddGyroscope().None();
                permissions.AddAccelerometer().None();
                permissions.AddMidi().None();
                permissions.AddOtpCredentials().None();
                permissions.AddIdentityCredentialsGet().None();
            });
        if (!development)
        {
            // On HTTPS responses only (the library skips plain HTTP), localhost included: a Production install on a
            // loopback name is still a Production install.
            policy.AddStrictTransportSecurity(maxAgeInSeconds: 365 * 24 * 60 * 60, includeSubdomains: false, preload: false, excludedHosts: []);
        }
    }
}
