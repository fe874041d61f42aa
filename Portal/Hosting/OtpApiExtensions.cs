using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Tessera.Domain.ApiClients;
using Tessera.Portal.Endpoints;

namespace Tessera.Portal.Hosting;

public static partial class OtpApiExtensions
{
    public const string SecuritySchemeName = "ApiKey";
    public const string DocsPath = "/api/docs";

    public static IHostApplicationBuilder AddOtpApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiClients>();
        builder.Services.AddOpenApi(OtpApiEndpoints.DocumentName, options =>
        {
            // The document describes the API for other apps, not the portal's own pages and endpoints.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer(DescribeAsync);
        });
        return builder;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and a docs page at /api/docs whose assets are served by the app (works offline).</summary>
    public static IEndpointRouteBuilder MapOtpApiDocs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi().AllowAnonymous();
        endpoints.MapScalarApiReference(DocsPath, options => options
                .WithTitle("Tessera OTP API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddDocument(OtpApiEndpoints.DocumentName)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .AddPreferredSecuritySchemes(SecuritySchemeName)
                // Its toolbar offers deploying, sharing and generating SDKs through Scalar's cloud: nothing a self-hosted,
                // offline install can do.
                .HideDeveloperTools()
                .AddHeaderContent(DocsHeader)
                .WithCustomCss(DocsCss))
            .AllowAnonymous()
            .AddEndpointFilter(WithLanguageAndNoncesAsync);
        return endpoints;
    }

    // Keyboard users skip the sidebar; the skip link looks and works like the one of every other page.
    // Scalar's <main> has no id of its own: the script gives it one as soon as Scalar renders it.
    // Scalar bundles zod, which probes for eval with Function('') unless told to run without it: the Content Security
    // Policy allows no eval, and the probe's refusal would be reported as a violation on every visit.
    private const string DocsHeader = """
        <a class="skip-link" href="#tessera-docs-main">Skip to main content</a>
        <script>
          globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig ?? {}, { jitless: true });
          new MutationObserver((_, observer) => {
            const main = document.querySelector('main');
            if (main) { main.id = 'tessera-docs-main'; main.tabIndex = -1; observer.disconnect(); }
          }).observe(document.documentElement, { childList: true, subtree: true });
        </script>
        """;

    // Scalar's default muted text and method badges are below 4.5:1 on their backgrounds; these keep its look at 4.5:1 or more.
    private const string DocsCss = """
        .skip-link { position: absolute; left: .5rem; top: -3rem; z-index: 2100; padding: .5rem 1rem; border-radius: 4px; background: #fff; color: #111; }
        .skip-link:focus { top: .5rem; }
        .light-mode { --scalar-color-3: #5c5c5c; --scalar-color-green: #00704a; --scalar-color-red: #c00000; --scalar-color-orange: #9a4a00;
                      --scalar-color-blue: #0b5cad; --scalar-color-purple: #6a2fb5; --scalar-color-yellow: #7a5c00; }
        .dark-mode { --scalar-color-3: #b0b0b0; }
        """;

    /// <summary>
    /// Scalar's page template has no <c>lang</c> (screen readers need it to pick a voice), and its inline scripts (its
    /// configuration, the header above) carry no nonce, which the Content Security Policy requires: both are added here.
    /// </summary>
    private static async ValueTask<object?> WithLanguageAndNoncesAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is not Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult { ResponseContent: { } html } content
            || !html.Contains("<html>", StringComparison.Ordinal))
        {
            return result;
        }
        var nonce = context.HttpContext.ScriptNonce();
        // The page is the app's own template (no user input): every <script> in it is the app's to vouch for.
        html = InlineScript().Replace(html.Replace("<html>", "<html lang=\"en\">", StringComparison.Ordinal), $"<script nonce=\"{nonce}\"$1");
        return Results.Content(html, content.ContentType, statusCode: content.StatusCode);
    }

    [System.Text.RegularExpressions.GeneratedRegex("<script(?![^>]*\\bnonce=)([\\s>])")]
    private static partial System.Text.RegularExpressions.Regex InlineScript();

    private static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Tessera OTP API",
            Version = "v1",
            Description = "Send one-time codes by SMS or email and check them. Authenticate every call with an API key: "
                + "'Authorization: Bearer tsk_…' (or the 'X-Api-Key' header). Errors are RFC 7807 problem details.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "tsk_<id>_<secret>",
            Description = "An API key created by an administrator (admin console or `create-api-client`). The X-Api-Key header is accepted too.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
        return Task.CompletedTask;
    }
}
