using System.Net;

namespace Tessera.Portal.Hosting;

/// <summary>The <c>Network</c> section: which reverse proxies may tell Tessera who the client is.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>
    /// IP addresses or CIDR ranges of the reverse proxies in front of Tessera. Only a request that arrives from one of
    /// them may set the client address, scheme and host through X-Forwarded-For, -Proto and -Host. Empty: none may.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>The proxies as networks (a single address is a /32 or /128); null when an entry does not parse.</summary>
    public static System.Net.IPNetwork? Parse(string entry)
    {
        var text = entry.Trim();
        if (text.Contains('/'))
        {
            return System.Net.IPNetwork.TryParse(text, out var network) ? network : null;
        }
        return IPAddress.TryParse(text, out var address)
            ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }
}
