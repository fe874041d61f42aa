using System.Net;
using System.Net.Sockets;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// The browser fixture for passkeys. WebAuthn needs a secure context and an origin whose host is the relying party id:
/// the app is served as http://localhost:{port} (localhost is a secure context over plain HTTP), with that origin
/// allowed in the WebAuthn settings, so the port is picked before the server starts.
/// </summary>
public sealed class PasskeyBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory)
    {
        var port = FreePort();
        var origin = $"http://localhost:{port}";
        // The public address is the one the browser uses: links and QR codes point there, and it is the allowed Origin.
        factory.With("WebAuthn:ServerDomain", "localhost").With("WebAuthn:Origins:0", origin).With("Tessera:PublicBaseUrl", origin);
        factory.StartKestrel(port);
        return new Uri(origin + "/");
    }

    /// <summary>A port the OS has just handed out and freed; the window before Kestrel binds it is too short to matter here.</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
