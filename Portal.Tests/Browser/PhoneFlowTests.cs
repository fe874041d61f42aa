using Microsoft.Playwright;
using Tessera.Portal.Tests.Support;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Phones as a person uses them: add the number on /security/phones, then type the codes the phone receives. The
/// codes are read from the Development outbox, where the SMS channel keeps each delivered text, never computed.
/// </summary>
public sealed class PhoneFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task EnrolledPhone_SignsInWithATextedCode_InAFreshBrowser()
    {
        const string number = "+447700900321";
        var email = $"sms-{Guid.NewGuid():N}"[..12] + "@example.com";
        await fixture.Factory.CreateUserAsync(email, Password);

        var page = await fixture.NewPageAsync();
        await SignInAsync(page, email);
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync("/security/phones");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("07700 900321");
        var codeField = page.GetByLabel("Verification code", new() { Exact = true });
        await ClickUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add phone" }), async () => await codeField.CountAsync() > 0);
        await codeField.FillAsync(await SmsInbox.WaitForCodeAsync(fixture.Factory.Services, number));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify", Exact = true }).ClickAsync();
        await ExpectVisibleAsync(page, page.GetByText("Verified", new() { Exact = true }), "the verified chip");
        await BrowserFixture.SaveScreenshotAsync(page, "phones.png");
        var listed = await page.GetByTestId("phone-number").InnerTextAsync();
        await page.Context.CloseAsync();

        var fresh = await fixture.NewPageAsync();
        await SignInAsync(fresh, email);
        await WaitForPathAsync(fresh, "/Account/LoginWith2fa");
        var emailOffered = await fresh.GetByRole(AriaRole.Button, new() { Name = "Email me a code" }).CountAsync();
        await fresh.GetByRole(AriaRole.Button, new() { Name = "Text me a code at +44 •••• ••• 321" }).ClickAsync();
        await WaitForPathAsync(fresh, "/Account/LoginWithCode");
        var code = fresh.GetByLabel("Code", new() { Exact = true });
        await ExpectVisibleAsync(fresh, code, "the code field");
        await code.FillAsync(await SmsInbox.WaitForCodeAsync(fixture.Factory.Services, number, count: 2));
        await fresh.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await WaitForPathAsync(fresh, "/security");
        await fresh.GotoAsync("/security");
        await ExpectVisibleAsync(fresh, fresh.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the security center");
        var factors = await fresh.GetByRole(AriaRole.Table).First.InnerTextAsync();

        Assert.Equal("+44 •••• ••• 321", listed.Trim());
        Assert.Equal(0, emailOffered);
        Assert.Contains("Phone (text message)", factors);
        Assert.Contains(await fresh.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }
}
