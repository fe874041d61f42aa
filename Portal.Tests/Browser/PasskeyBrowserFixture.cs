using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// The browser fixture for passkeys. WebAuthn needs a secure context and an origin whose host is the relying party id:
/// the app is served as http://localhost:{port} (localhost is a secure context over plain HTTP), with that origin
/// as the public address, so the port is picked before the server starts.
/// </summary>
public sealed class PasskeyBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory)
    {
        var port = PortalProcess.FreePort();
        var origin = $"http://localhost:{port}";
        // The public address is the one the browser uses: links and QR codes point there, and it is the allowed Origin.
        // WebAuthn:Origins is left empty: its default (the public address) is what these tests sign with.
        factory.With("WebAuthn:ServerDomain", "localhost").With("Tessera:PublicBaseUrl", origin);
        factory.StartKestrel(port);
        return new Uri(origin + "/");
    }
}
