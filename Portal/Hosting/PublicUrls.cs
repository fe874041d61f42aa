using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Tessera.Portal.Hosting;

/// <summary>
/// The one source of Tessera's own absolute address. Links that leave the app (emails, QR codes, the WebOTP line) are
/// built from <see cref="TesseraOptions.PublicBaseUrl"/>, never from the request: a forged <c>Host</c> header must not
/// be able to point a reset link at another site. In Development, when it is not set, the listening address stands in.
/// </summary>
public sealed class PublicUrls(IOptions<TesseraOptions> options, IHostEnvironment environment, IServiceProvider services)
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>The configured public address, or null when it is not set (only possible in Development).</summary>
    public Uri? Configured { get; } = TryParse(options.Value.PublicBaseUrl);

    /// <summary>The address people reach Tessera at, ending in a slash.</summary>
    public Uri BaseUri => Configured ?? ListeningAddresses().FirstOrDefault() ?? new Uri("http://localhost/");

    /// <summary>An absolute link to a path of this site.</summary>
    public string Absolute(string relativePath) => new Uri(BaseUri, relativePath.TrimStart('/')).AbsoluteUri;

    /// <summary>Host names a request may carry: the public host, and in Development the loopback names.</summary>
    public IReadOnlyList<string> AllowedHosts()
    {
        var hosts = new List<string>();
        if (Configured is not null)
        {
            hosts.Add(Configured.IdnHost);
        }
        if (environment.IsDevelopment() || Configured is null)
        {
            hosts.AddRange(LoopbackHosts);
        }
        return hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Whether a browser's <c>Origin</c> is this app's own: the public address, and in Development also the listening
    /// addresses (with their loopback aliases).
    /// </summary>
    public bool IsOwnOrigin(string? origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }
        var candidate = OriginOf(uri);
        if (Configured is not null && OriginOf(Configured) == candidate)
        {
            return true;
        }
        return environment.IsDevelopment() && ListeningOrigins().Contains(candidate);
    }

    /// <summary>
    /// The origins passkey ceremonies may come from when <c>WebAuthn:Origins</c> is empty: the public address, and in
    /// Development every address the app listens on (so <c>--urls</c> with another port keeps passkeys working).
    /// </summary>
    public IReadOnlyList<string> DefaultWebAuthnOrigins()
    {
        var origins = new List<string>();
        if (Configured is not null)
        {
            origins.Add(OriginOf(Configured));
        }
        if (environment.IsDevelopment())
        {
            origins.AddRange(ListeningOrigins());
        }
        return origins.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private HashSet<string> ListeningOrigins()
    {
        var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in ListeningAddresses())
        {
            foreach (var host in LoopbackHosts)
            {
                origins.Add(OriginOf(new UriBuilder(address) { Host = host.Trim('[', ']') }.Uri));
            }
        }
        // The in-memory test server answers as http://localhost.
        origins.Add("http://localhost");
        return origins;
    }

    private IEnumerable<Uri> ListeningAddresses()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            // "http://[::]:5080", "http://0.0.0.0:5080", "http://+:5080" listen everywhere; a browser reaches them as localhost.
            var normalized = address.Replace("://+", "://localhost").Replace("://*", "://localhost")
                .Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost");
            if (Uri.TryCreate(normalized.TrimEnd('/') + "/", UriKind.Absolute, out var uri))
            {
                yield return uri;
            }
        }
    }

    private static string OriginOf(Uri uri) => uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    internal static Uri? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return Uri.TryCreate(value.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>Why a PublicBaseUrl value is not usable, or null when it is.</summary>
    internal static string? Problem(string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required
                ? "Tessera:PublicBaseUrl must be set outside Development: the address people reach Tessera at, such as https://id.example.com. Emailed links, the allowed Host and the allowed Origin are taken from it, never from the request."
                : null;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"Tessera:PublicBaseUrl must be an absolute http or https address, such as https://id.example.com (it is '{value}').";
        }
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return $"Tessera:PublicBaseUrl must be a scheme, host and optional port only, without a path, query or user name (it is '{value}').";
        }
        return null;
    }
}
