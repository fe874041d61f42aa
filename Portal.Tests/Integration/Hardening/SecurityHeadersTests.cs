using System.Net;
using System.Text.RegularExpressions;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Every route of the README's table, in Production over HTTPS: the hardening headers on every response, a script
/// policy without 'unsafe-inline' or 'unsafe-eval' and framing refused on every page, and every cookie Secure and HttpOnly.
/// </summary>
public sealed partial class SecurityHeadersTests : IClassFixture<SecurityHeadersTests.ProductionApp>
{
    private const string Password = "correct horse battery staple";

    // The README's route table, as an anonymous visitor and as a signed-in user reach it (admin routes answer a
    // non-admin with a refusal, which must carry the headers too).
    private static readonly string[] Routes =
    [
        "/", "/Account/Register", "/Account/Login", "/Account/Logout", "/Account/ConfirmEmail", "/Account/ResendEmailConfirmation",
        "/Account/ForgotPassword", "/Account/ResetPassword", "/Account/NotMe?token=x", "/Account/ConfirmEmailChange",
        "/Account/LoginWith2fa", "/Account/LoginWithCode", "/Account/LoginWithRecoveryCode", "/Account/Lockout",
        "/security", "/security/activity", "/security/account", "/security/passkeys", "/security/phones",
        "/security/authenticators", "/security/sessions", "/security/devices", "/push/not-a-token",
        "/push/approvals/00000000-0000-0000-0000-000000000000", "/Account/LoginWithPush", "/manifest.webmanifest", "/sw.js", "/signin/push", "/signin/qr", "/qr/not-a-token", "/qr/sessions/00000000-0000-0000-0000-000000000000",
        "/admin", "/admin/users", "/admin/users/x", "/admin/audit", "/admin/audit/export", "/admin/api-clients",
        "/admin/policies", "/admin/deliveries", "/admin/keys", "/admin/jobs", "/api/v1/verifications", "/api/docs", "/api/docs/", "/openapi/v1.json",
        "/dev/outbox", "/health", "/security/account/export", "/admin/users/x/export", "/no-such-page",
    ];

    private readonly ProductionApp app;

    public SecurityHeadersTests(ProductionApp app) => this.app = app;

    public static TheoryData<string> EveryRoute() => [.. Routes];

    [Theory]
    [MemberData(nameof(EveryRoute))]
    public async Task EveryRoute_Anonymous_SendsTheHardeningHeaders(string route) =>
        AssertHardened(route, await app.Anonymous.GetAsync(route));

    [Theory]
    [MemberData(nameof(EveryRoute))]
    public async Task EveryRoute_SignedIn_SendsTheHardeningHeaders(string route) =>
        AssertHardened(route, await (await app.SignedInAsync()).GetAsync(route));

    [Fact]
    public async Task SignIn_SetsOnlySecureHttpOnlyCookies()
    {
        using var client = app.Factory.CreateBrowserlessClient();
        var login = await client.GetAsync("/Account/Login");
        var token = AntiforgeryToken().Match(await login.Content.ReadAsStringAsync()).Groups[1].Value;
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = ProductionApp.Email,
            ["Input.Password"] = Password,
        }));

        var cookies = login.Headers.GetValues("Set-Cookie").Concat(response.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("Tessera.Auth=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("; httponly", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ThePageNonce_ChangesWithEveryResponse_AndOnlyItsOwnInlineScriptsCarryIt()
    {
        var first = await app.Anonymous.GetAsync("/Account/Login");
        var second = await app.Anonymous.GetAsync("/Account/Login");

        var nonce = Nonce(first);
        Assert.NotEqual(nonce, Nonce(second));
        var html = await first.Content.ReadAsStringAsync();
        // The import map is the page's one inline script, and it carries this response's nonce.
        var importMap = Regex.Match(html, "<script type=\"importmap\"[^>]*>").Value;
        Assert.Equal($"<script type=\"importmap\" nonce=\"{nonce}\">", WebUtility.HtmlDecode(importMap));
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", html);
    }

    [Fact]
    public async Task TheApiDocs_InlineScripts_CarryTheResponsesNonce()
    {
        var response = await app.Anonymous.GetAsync("/api/docs/");

        var html = await response.Content.ReadAsStringAsync();
        var nonce = Nonce(response);
        Assert.Matches($"<script[^>]*nonce=\"{Regex.Escape(nonce)}\"", html);
        Assert.DoesNotMatch(@"<script(?![^>]*\bnonce=)[^>]*>", html);
    }

    [Fact]
    public async Task OverPlainHttp_NoStrictTransportSecurity()
    {
        using var client = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://localhost"),
            AllowAutoRedirect = false,
        });

        var response = await client.GetAsync("/health");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
    }

    private static void AssertHardened(string route, HttpResponseMessage response)
    {
        Assert.True((int)response.StatusCode < 500, $"{route}: {(int)response.StatusCode}");
        Assert.Equal("max-age=31536000", Single(response, "Strict-Transport-Security"));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Single(response, "Referrer-Policy"));
        Assert.Equal("same-origin", Single(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        var permissions = Single(response, "Permissions-Policy");
        Assert.Contains("camera=()", permissions);
        Assert.Contains("geolocation=()", permissions);
        Assert.Matches(@"publickey-credentials-get=\(?self\)?(,|$)", permissions);
        Assert.False(response.Headers.Contains("Server"), $"{route}: a Server header");

        if (response.Content.Headers.ContentType?.MediaType != "text/html")
        {
            return;
        }
        var policy = Single(response, "Content-Security-Policy");
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.Equal("object-src 'none'", directives["object-src"]);
        Assert.Matches(@"^script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'$", directives["script-src"]);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("*", policy);
    }

    private static string Single(HttpResponseMessage response, string name)
    {
        var values = response.Headers.TryGetValues(name, out var found) ? found.ToList() : [];
        var value = Assert.Single(values);
        return value;
    }

    private static string Nonce(HttpResponseMessage response) =>
        Regex.Match(Single(response, "Content-Security-Policy"), "'nonce-([^']+)'").Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>One Production app, an anonymous HTTPS client and one signed-in user (no second factor: not an admin).</summary>
    public sealed class ProductionApp : IAsyncLifetime
    {
        public const string Email = "headers@example.com";

        private HttpClient? signedIn;

        public TesseraFactory Factory { get; } = new TesseraFactory().InProduction("https://localhost");

        public HttpClient Anonymous { get; private set; } = default!;

        public async Task InitializeAsync()
        {
            Anonymous = Factory.CreateBrowserlessClient();
            await Factory.CreateUserAsync(Email, Password);
        }

        public async Task<HttpClient> SignedInAsync()
        {
            if (signedIn is null)
            {
                var client = Factory.CreateBrowserlessClient();
                await SignIn.SignInAsync(client, Email, Password);
                signedIn = client;
            }
            return signedIn;
        }

        public async Task DisposeAsync()
        {
            Anonymous.Dispose();
            signedIn?.Dispose();
            await Factory.DisposeAsync();
        }
    }
}
