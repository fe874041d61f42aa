using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Tessera.Domain.ApiClients;
using Tessera.Portal.Endpoints;

namespace Tessera.Portal.Hosting;

public static class OtpApiExtensions
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
                .AddPreferredSecuritySchemes(SecuritySchemeName))
            .AllowAnonymous();
        return endpoints;
    }

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
