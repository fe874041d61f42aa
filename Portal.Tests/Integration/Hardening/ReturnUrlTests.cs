using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 6: ReturnUrl=//evil.example after the right password or code ended in a 500 page, dropped the cookie,
/// spent the code, and the audit log recorded a sign-in that never happened.
/// </summary>
public sealed class ReturnUrlTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/steal")]
    [InlineData("/\\evil.example")]
    public async Task AForeignReturnUrl_AfterThePassword_LandsOnTheSecurityCenter_SignedIn(string returnUrl)
    {
        var user = await factory.CreateUserAsync($"return{Math.Abs(returnUrl.GetHashCode())}@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        var response = await client.PostAsync($"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", Form(token, user.Email!));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/security", response.Target());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
        Assert.Equal(1, await SuccessfulSignInsAsync(user.Id));
    }

    [Fact]
    public async Task AForeignReturnUrl_AfterTheSecondFactor_LandsOnTheSecurityCenter_SignedIn()
    {
        var user = await factory.CreateUserAsync("return-2fa@example.com", Password);
        var secret = await TotpEnrollment.EnrollAsync(factory, user.Id, user.Email!);
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");
        var password = await client.PostAsync($"/Account/Login?ReturnUrl={Uri.EscapeDataString("//evil.example")}", Form(token, user.Email!));
        Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
        var page = new Uri(new Uri("http://localhost"), password.Headers.Location!);
        var withForeignReturn = new Uri(page, $"{page.AbsolutePath}?returnUrl={Uri.EscapeDataString("https://evil.example")}");

        var response = await TotpEnrollment.PostCodeAsync(client, withForeignReturn, TotpEnrollment.NextStepCode(secret));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/security", response.Target());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
        Assert.Equal(1, await SuccessfulSignInsAsync(user.Id));
    }

    [Fact]
    public async Task ALocalReturnUrl_IsWhereTheSignInLands()
    {
        var user = await factory.CreateUserAsync("return-local@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        var response = await client.PostAsync("/Account/Login?ReturnUrl=%2Fsecurity%2Fsessions", Form(token, user.Email!));

        Assert.Equal("/security/sessions", response.Target());
    }

    private static FormUrlEncodedContent Form(string token, string email) => new(new Dictionary<string, string>
    {
        ["_handler"] = "login",
        ["__RequestVerificationToken"] = token,
        ["Input.Email"] = email,
        ["Input.Password"] = Password,
    });

    private async Task<int> SuccessfulSignInsAsync(string userId)
    {
        userId = await factory.AuditNameAsync(userId);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.CountAsync(e => e.SubjectId == userId && e.Type == AuditEventTypes.SignIn && e.Outcome == AuditOutcome.Success);
    }

    public void Dispose() => factory.Dispose();
}
