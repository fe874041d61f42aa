using System.Net;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 1: a forgot-password request with <c>Host: evil.example</c> emailed the victim a link to evil.example, whose
/// token then reset the password on the real host. Links now come from Tessera:PublicBaseUrl alone.
/// </summary>
public sealed class HostHeaderTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const string PublicBaseUrl = "https://id.tessera.test";
    private readonly TesseraFactory factory = new TesseraFactory().With("Tessera:PublicBaseUrl", PublicBaseUrl);

    [Fact]
    public async Task ForgotPassword_WithAForeignHost_Answers400_AndEmailsNothing()
    {
        await factory.CreateUserAsync("victim@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");

        using var request = ForgotPassword(token, "victim@example.com");
        request.Headers.Host = "evil.example";
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await OutboxMail.BodiesToAsync(factory, "victim@example.com"));
    }

    [Fact]
    public async Task ResetLink_StartsWithThePublicBaseUrl_NotTheRequestsHost()
    {
        await factory.CreateUserAsync("victim2@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");

        // localhost is an allowed Host in Development, but it is still not where links point.
        var response = await client.SendAsync(ForgotPassword(token, "victim2@example.com"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, "victim2@example.com"));
        Assert.Contains($"{PublicBaseUrl}/Account/ResetPassword?code=", mail);
        Assert.DoesNotContain("localhost", mail);
    }

    [Fact]
    public async Task ConfirmationLink_StartsWithThePublicBaseUrl()
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Register");

        var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = "newcomer@example.com",
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, "newcomer@example.com"));
        Assert.Contains($"{PublicBaseUrl}/Account/ConfirmEmail?userId=", mail);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("id.tessera.test.evil.example")]
    public async Task Production_RefusesAnyHostButThePublicOne(string host)
    {
        using var production = new TesseraFactory().InProduction(PublicBaseUrl);
        using var client = production.CreateBrowserlessClient();

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/Account/ForgotPassword");
        foreign.Headers.Host = host;
        using var own = new HttpRequestMessage(HttpMethod.Get, "/Account/ForgotPassword");
        own.Headers.Host = "id.tessera.test";

        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
    }

    private static HttpRequestMessage ForgotPassword(string token, string email) => new(HttpMethod.Post, "/Account/ForgotPassword")
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
        }),
    };

    public void Dispose() => factory.Dispose();
}
