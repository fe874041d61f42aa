using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Tessera.Portal.Hosting;

/// <summary>
/// Who the client is and which site it asked for: the public base URL, the reverse proxies trusted to forward the
/// client's address and scheme, the allowed Host names, and the allowed Origin of the Blazor hub.
/// </summary>
public static class NetworkExtensions
{
    /// <summary>Where Blazor's SignalR hub lives (negotiate, WebSocket, SSE and long polling are all below it).</summary>
    public const string BlazorHubPath = "/_blazor";

    public static IHostApplicationBuilder AddNetwork(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<TesseraOptions>, PublicBaseUrlRequired>();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NetworkOptions>, KnownProxiesParse>();
        services.AddSingleton<PublicUrls>();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>, PublicUrls>((forwarded, network, urls) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // The framework trusts loopback by default; here nobody is trusted unless named in Network:KnownProxies.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var entry in network.Value.KnownProxies)
            {
                forwarded.KnownIPNetworks.Add(NetworkOptions.Parse(entry)!.Value);
            }
            // A chain of known proxies is walked back to the first address that is not one of them: that is the client.
            forwarded.ForwardLimit = null;
            // Even a known proxy may only name the public host.
            forwarded.AllowedHosts = urls.AllowedHosts().ToList();
        });

        // AllowedHosts, when not set, is the public host (and loopback in Development): another Host answers 400.
        services.AddOptions<HostFilteringOptions>().Configure<IConfiguration, PublicUrls>((filtering, configuration, urls) =>
        {
            if (string.IsNullOrWhiteSpace(configuration["AllowedHosts"]))
            {
                filtering.AllowedHosts = urls.AllowedHosts().ToList();
            }
            filtering.AllowEmptyHosts = false;
        });
        return builder;
    }

    /// <summary>First in the pipeline: everything after it sees the client's real address and scheme.</summary>
    public static WebApplication UseNetwork(this WebApplication app)
    {
        // With no known proxy the middleware is left out entirely: given empty lists, it would trust every sender.
        if (app.Services.GetRequiredService<IOptions<NetworkOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }
        var urls = app.Services.GetRequiredService<PublicUrls>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NetworkExtensions));
        app.Use(async (context, next) =>
        {
            // Cross-site WebSocket hijacking: a browser sends the signed-in user's cookie with a WebSocket or fetch from
            // any page of the same site (another port, a sibling subdomain), and only the Origin tells them apart.
            // Opening a connection (negotiate is a POST, then the WebSocket upgrade) needs the app's own Origin; a
            // browser always sends one there. Same-origin GETs (the script's initializers) carry none and open nothing.
            var opens = context.WebSockets.IsWebSocketRequest || !HttpMethods.IsGet(context.Request.Method);
            var origin = context.Request.Headers.Origin;
            if ((context.Request.Path.StartsWithSegments(BlazorHubPath) || context.WebSockets.IsWebSocketRequest)
                && (origin.Count > 0 || opens) && !urls.IsOwnOrigin(origin))
            {
                logger.LogWarning(new EventId(1001, "ForeignOriginRefused"),
                    "Refused a {Path} connection from a foreign origin {Origin}", context.Request.Path.Value, origin.ToString());
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(context);
        });
        return app;
    }

    private sealed class PublicBaseUrlRequired(IHostEnvironment environment) : IValidateOptions<TesseraOptions>
    {
        public ValidateOptionsResult Validate(string? name, TesseraOptions options) =>
            PublicUrls.Problem(options.PublicBaseUrl, required: !environment.IsDevelopment()) is { } problem
                ? ValidateOptionsResult.Fail(problem)
                : ValidateOptionsResult.Success;
    }

    private sealed class KnownProxiesParse : IValidateOptions<NetworkOptions>
    {
        public ValidateOptionsResult Validate(string? name, NetworkOptions options)
        {
            var bad = options.KnownProxies.Where(p => NetworkOptions.Parse(p) is null).ToList();
            return bad.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Network:KnownProxies must hold IP addresses or CIDR ranges such as 10.0.0.5 or 10.0.0.0/24; these are neither: {string.Join(", ", bad.Select(b => $"'{b}'"))}.");
        }
    }
}
