using System.Net;
using System.Net.WebSockets;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 2: /_blazor accepted any Origin, so a page on another origin of the same site started a circuit with a
/// signed-in admin's cookie and clicked "Grant Admin" (then called "Make admin"). The hub now refuses every Origin but the app's own.
/// </summary>
public sealed class BlazorOriginTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("null")]
    [InlineData(null)]
    public async Task Negotiate_FromAForeignOrMissingOrigin_IsRefused(string? origin)
    {
        var root = factory.StartKestrel();
        using var client = SignedInClient(root, out _);
        await SignInAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Negotiate_FromTheAppsOwnOrigin_IsAccepted()
    {
        var root = factory.StartKestrel();
        using var client = SignedInClient(root, out _);
        await SignInAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", root.GetLeftPart(UriPartial.Authority));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WebSocket_WithTheAdminsCookie_FromAForeignOrigin_Gets403_AndFromItsOwnOrigin_101()
    {
        var root = factory.StartKestrel();
        await factory.CreateUserAsync("ws-admin@example.com", Password, Tessera.Domain.Accounts.Roles.Admin);
        using var client = SignedInClient(root, out var cookies);
        await SignInAsync(client, "ws-admin@example.com");
        var hub = new UriBuilder(root) { Scheme = "ws", Path = "/_blazor" }.Uri;

        var foreign = await ConnectAsync(hub, cookies, "http://evil.example");
        var own = await ConnectAsync(hub, cookies, root.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, own);
    }

    private static async Task<HttpStatusCode> ConnectAsync(Uri hub, CookieContainer cookies, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.Cookies = cookies;
        socket.Options.SetRequestHeader("Origin", origin);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(hub, timeout.Token);
        }
        catch (WebSocketException)
        {
        }
        return socket.HttpStatusCode;
    }

    private HttpClient SignedInClient(Uri root, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = root };
    }

    private async Task SignInAsync(HttpClient client, string email = "ws-user@example.com")
    {
        if (email == "ws-user@example.com")
        {
            await factory.CreateUserAsync(email, Password);
        }
        await SignIn.SignInAsync(client, email, Password);
    }

    public void Dispose() => factory.Dispose();
}
