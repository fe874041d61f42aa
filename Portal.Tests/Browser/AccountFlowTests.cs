using Microsoft.Playwright;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>What a person does in a real browser: register, confirm, sign in and out, get locked out, pick a theme.</summary>
public sealed class AccountFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task NewUser_RegistersConfirmsSignsInAndOut()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("ada");

        await RegisterAsync(page, email, Password);
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" }), "the check-your-email page");
        await OpenConfirmationLinkAsync(page, email);
        await ExpectVisibleAsync(page, page.GetByText("your email address is confirmed"), "the confirmation success message");
        await page.GotoAsync("/Account/Login");
        await BrowserFixture.SaveScreenshotAsync(page, "login.png");
        await SignInAsync(page, email, Password);
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/Account/", StringComparison.Ordinal));
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the security center");
        await ExpectVisibleAsync(page, page.GetByText("No factors yet"), "the empty factor list");
        var signedInAs = await page.GetByText("Signed in as").First.InnerTextAsync();
        await BrowserFixture.SaveScreenshotAsync(page, "security.png");
        await SignOutAsync(page);
        await page.GotoAsync("/security");
        await WaitForPathAsync(page, "/Account/Login");

        Assert.Contains(email, signedInAs);
        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
        Assert.Contains("security", Uri.UnescapeDataString(new Uri(page.Url).Query), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_BeforeConfirmingEmail_IsRefusedWithAReminder()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("grace");
        await RegisterAsync(page, email, Password);
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" }), "the check-your-email page");

        await SignInAsync(page, email, Password);

        await ExpectVisibleAsync(page, page.GetByText("Confirm your email address before signing in"), "the confirm-your-email reminder");
        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenAgainstTheRightPassword()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("mallory");
        await fixture.Factory.CreateUserAsync(email, Password);
        for (var attempt = 1; attempt < 5; attempt++)
        {
            await SignInAsync(page, email, $"wrong-password-{attempt}");
            await ExpectVisibleAsync(page, page.GetByText("Invalid sign-in attempt"), $"the error after wrong password {attempt}");
        }

        await SignInAsync(page, email, "wrong-password-5");
        await WaitForPathAsync(page, "/Account/Lockout");
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Account locked" }), "the lockout page");
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/Account/Lockout");
        await page.GotoAsync("/security");
        await WaitForPathAsync(page, "/Account/Login");

        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    [Fact]
    public async Task DarkModeToggle_SwitchesTheTheme_AndSurvivesAReload()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await WaitForCircuitAsync(page);
        await BrowserFixture.SaveScreenshotAsync(page, "home.png");
        var lightBackground = await BackgroundAsync(page);

        await ClickUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Toggle dark mode" }),
            async () => await ThemeCookieAsync(page) == "dark" && await BackgroundAsync(page) != lightBackground);
        var toggledBackground = await BackgroundAsync(page);
        await page.ReloadAsync();
        var reloadedBackground = await BackgroundAsync(page);

        Assert.NotEqual(lightBackground, toggledBackground);
        Assert.Equal(toggledBackground, reloadedBackground);
        Assert.Equal("dark", await ThemeCookieAsync(page));
    }

    private static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    private static async Task RegisterAsync(IPage page, string email, string password)
    {
        var response = await page.GotoAsync("/Account/Register");
        Assert.True(response is { Ok: true }, $"GET /Account/Register answered {response?.Status}: {await page.InnerTextAsync("body")}");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
    }

    /// <summary>The email is delivered by a background job: reload the outbox until it is there.</summary>
    private static async Task OpenConfirmationLinkAsync(IPage page, string email)
    {
        var message = page.GetByTestId("outbox-message").Filter(new() { HasText = email });
        var deadline = DateTime.UtcNow.AddSeconds(15);
        await page.GotoAsync("/dev/outbox");
        while (await message.CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No email to {email} reached /dev/outbox within 15 seconds.");
            await Task.Delay(250);
            await page.ReloadAsync();
        }
        await message.GetByRole(AriaRole.Link, new() { Name = "Confirm email" }).ClickAsync();
        await WaitForPathAsync(page, "/Account/ConfirmEmail");
    }

    /// <summary>Prerendered buttons do nothing until the Blazor circuit is up: wait for the script and its connection.</summary>
    private static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    private static async Task<string?> ThemeCookieAsync(IPage page) =>
        (await page.Context.CookiesAsync()).FirstOrDefault(c => c.Name == "tessera-theme")?.Value;

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
