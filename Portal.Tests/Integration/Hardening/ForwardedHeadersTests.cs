using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 5: behind a TLS-terminating proxy, X-Forwarded-Proto was ignored (cookies without Secure, no HSTS) and every
/// limit saw the proxy's address. Forwarded headers now count from Network:KnownProxies only, and from nobody else.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string Password = "correct horse battery";
    private const string Client = "203.0.113.9";

    [Fact]
    public async Task FromAKnownProxy_HttpsAndTheClientAddress_AreHonoured()
    {
        using var factory = new TesseraFactory().InProduction().With("Network:KnownProxies:0", "127.0.0.0/8");
        using var client = ProxiedClient(factory.StartKestrel());
        var user = await factory.CreateUserAsync("behind-proxy@example.com", Password);

        var page = await client.GetAsync("/Account/Login");
        var signedIn = await SignInAsync(client, user.Email!);

        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
        Assert.All(signedIn.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        var session = Assert.Single(await factory.Services.GetRequiredService<UserSessions>().ListActiveAsync(user.Id));
        Assert.Equal("203.0.113.x", session.IpDisplay);
        Assert.Equal(await factory.Services.GetRequiredService<IpPseudonymizer>().PseudonymizeAsync(Client), await SignInEventIpAsync(factory, user.Id));
    }

    [Fact]
    public async Task FromAnUnknownProxy_TheForwardedHeadersAreIgnored()
    {
        using var factory = new TesseraFactory().InProduction();
        using var client = ProxiedClient(factory.StartKestrel());
        var user = await factory.CreateUserAsync("not-behind-proxy@example.com", Password);

        var page = await client.GetAsync("/Account/Login");
        var signedIn = await SignInAsync(client, user.Email!);

        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
        // Outside Development every cookie is Secure, whatever the request says: plain HTTP gets no session cookie a
        // browser would send back over it.
        Assert.All(signedIn.Headers.GetValues("Set-Cookie"), c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
        var session = Assert.Single(await factory.Services.GetRequiredService<UserSessions>().ListActiveAsync(user.Id));
        Assert.Equal("127.0.0.x", session.IpDisplay);
        Assert.Equal(await factory.Services.GetRequiredService<IpPseudonymizer>().PseudonymizeAsync("127.0.0.1"), await SignInEventIpAsync(factory, user.Id));
    }

    [Fact]
    public async Task AKnownProxy_CannotNameAnotherHost()
    {
        using var factory = new TesseraFactory().InProduction().With("Network:KnownProxies:0", "127.0.0.1");
        using var client = ProxiedClient(factory.StartKestrel());
        client.DefaultRequestHeaders.Add("X-Forwarded-Host", "evil.example");

        var page = await client.GetStringAsync("/Account/Login");

        Assert.DoesNotContain("evil.example", page);
    }

    /// <summary>
    /// A client as a TLS-terminating proxy forwards it: Host is the public host, the original scheme and address in
    /// headers. The browser behind the proxy speaks HTTPS, so it keeps and sends Secure cookies: the handler does too,
    /// though this last hop is plain HTTP.
    /// </summary>
    private static HttpClient ProxiedClient(Uri root)
    {
        var client = new HttpClient(new BrowserCookies(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })) { BaseAddress = root };
        client.DefaultRequestHeaders.Host = "id.tessera.test";
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", Client);
        return client;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email)
    {
        var response = await SignIn.PostLoginAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    private static async Task<string?> SignInEventIpAsync(TesseraFactory factory, string userId)
    {
        userId = await factory.AuditNameAsync(userId);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.SubjectId == userId && e.Type == AuditEventTypes.SignIn && e.Outcome == AuditOutcome.Success)
            .Select(e => e.IpPseudonym).SingleAsync();
    }

    private sealed class BrowserCookies(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly Dictionary<string, string> jar = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (jar.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}")));
            }
            var response = await base.SendAsync(request, cancellationToken);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';', 2)[0].Split('=', 2);
                jar[pair[0]] = pair[1];
            }
            return response;
        }
    }
}
