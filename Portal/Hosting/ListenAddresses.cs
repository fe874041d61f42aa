namespace Tessera.Portal.Hosting;

/// <summary>
/// Where the app listens. ASP.NET Core's own settings decide, with their standard precedence: <c>--urls</c>, then the
/// <c>URLS</c> / <c>Urls</c> settings (environment, appsettings.json), then <c>ASPNETCORE_URLS</c>, and
/// <c>ASPNETCORE_HTTP_PORTS</c> / <c>HTTPS_PORTS</c> or <c>Kestrel:Endpoints</c>. Only when none of them says anything
/// does <c>Tessera:DefaultUrls</c> (http://localhost:5080) apply. appsettings.json must not set <c>Urls</c> itself: it
/// is read after <c>ASPNETCORE_URLS</c>, so it would silently win over the variable every container image sets.
/// </summary>
public static class ListenAddresses
{
    public const string DefaultUrlsKey = "Tessera:DefaultUrls";
    public const string BuiltInDefault = "http://localhost:5080";

    public static IHostApplicationBuilder AddListenAddresses(this WebApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration))
        {
            var fallback = builder.Configuration[DefaultUrlsKey];
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(fallback) ? BuiltInDefault : fallback);
        }
        return builder;
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
