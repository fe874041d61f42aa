using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The /webauthn endpoints the sign-in pages' script calls, driven with a software authenticator.</summary>
public sealed class PasskeySignInTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();
    private readonly SoftwareAuthenticator device = new();

    [Fact]
    public async Task Passwordless_WithARegisteredPasskey_SignsIn_AndGoesToTheReturnUrl()
    {
        await UserWithPasskeyAsync("passwordless@example.com");
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        var (challengeId, options) = await OptionsAsync(client, token, "passwordless");
        var response = await AssertAsync(client, token, "passwordless", challengeId, device.Assert(options), "security");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/security", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirect").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task ReplayedAssertion_IsRefused_AndSignsNobodyIn()
    {
        await UserWithPasskeyAsync("replay@example.com");
        using var attacker = factory.CreateBrowserlessClient();
        using var victim = factory.CreateBrowserlessClient();
        var victimToken = await SignIn.AntiforgeryTokenAsync(victim, "/Account/Login");
        var (challengeId, options) = await OptionsAsync(victim, victimToken, "passwordless");
        var signed = device.Assert(options);
        await AssertAsync(victim, victimToken, "passwordless", challengeId, signed, null);
        var attackerToken = await SignIn.AntiforgeryTokenAsync(attacker, "/Account/Login");

        var replay = await AssertAsync(attacker, attackerToken, "passwordless", challengeId, signed, null);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task Options_WithoutTheAntiforgeryToken_AreRefused()
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.PostAsJsonAsync("/webauthn/assertion/options", new { mode = "passwordless" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SecondFactor_AfterThePassword_SignsIn()
    {
        await UserWithPasskeyAsync("two-step-passkey@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, "two-step-passkey@example.com", Password);
        Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
        var token = await SignIn.AntiforgeryTokenAsync(client, password.Headers.Location!.ToString());

        var (challengeId, options) = await OptionsAsync(client, token, "second-factor");
        var response = await AssertAsync(client, token, "second-factor", challengeId, device.Assert(options), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task SecondFactor_WithoutAPendingSignIn_IsRefused()
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        var response = await client.SendAsync(Post("/webauthn/assertion/options", token, new { mode = "second-factor" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example/steal", "/security")]
    [InlineData("//evil.example", "/security")]
    [InlineData("/\\evil.example", "/security")]
    [InlineData(" //evil.example", "/security")]
    [InlineData("/%09/evil.example", "/%09/evil.example")]
    [InlineData("security", "/security")]
    [InlineData("/security/passkeys?x=1", "/security/passkeys?x=1")]
    [InlineData("/", "/security")]
    [InlineData(null, "/security")]
    public void ReturnUrl_OnlyEverPointsIntoTheSite(string? returnUrl, string expected)
    {
        Assert.Equal(expected, Tessera.Portal.Http.ReturnUrls.LocalOrDefault(returnUrl));
    }

    private async Task UserWithPasskeyAsync(string email)
    {
        var user = await factory.CreateUserAsync(email, Password);
        var passkeys = factory.Services.GetRequiredService<Passkeys>();
        var start = await passkeys.BeginRegistrationAsync(user.Id, email);
        var registered = await passkeys.CompleteRegistrationAsync(user.Id, start.ChallengeId, device.Register(start.OptionsJson), "Laptop", factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(user.Id, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));
        Assert.True(registered.Succeeded, registered.Error);
    }

    private static async Task<(Guid ChallengeId, string Options)> OptionsAsync(HttpClient client, string token, string mode)
    {
        var response = await client.SendAsync(Post("/webauthn/assertion/options", token, new { mode }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("challengeId").GetGuid(), body.GetProperty("options").GetString()!);
    }

    private static Task<HttpResponseMessage> AssertAsync(HttpClient client, string token, string mode, Guid challengeId, string signed, string? returnUrl) =>
        client.SendAsync(Post("/webauthn/assertion", token, new { mode, challengeId, response = signed, returnUrl, rememberBrowser = false }));

    private static HttpRequestMessage Post(string path, string token, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("RequestVerificationToken", token);
        return request;
    }

    public void Dispose()
    {
        device.Dispose();
        factory.Dispose();
    }
}
