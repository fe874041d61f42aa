using Microsoft.Playwright;
using Tessera.Portal.Tests.Support;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>Changing the password from a phone, and securing the account from the activity feed, while a laptop is signed in too.</summary>
public sealed class AccountSettingsFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery";
    private const string NewPassword = "violin kettle marmalade";

    [Fact]
    public async Task ChangePassword_OnAPhone_ShowsItsStrength_SignsOutTheLaptop_AndEmailsTheOwner()
    {
        var email = OpenCircuitTests.NewEmail("changer");
        await fixture.Factory.CreateUserAsync(email, Password);
        var laptop = await fixture.NewPageAsync();
        await SignInAsync(laptop, email, Password);
        var phone = await fixture.NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await SignInAsync(phone, email, Password);

        await phone.GotoAsync("/security");
        Assert.Equal("/security/account", await phone.GetByRole(AriaRole.Link, new() { Name = "Change your password or email" }).GetAttributeAsync("href"));
        await phone.GotoAsync("/security/account");
        await ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Heading, new() { Name = "Password and email", Level = 1 }), "the account page");
        // Typed before the circuit is up, a field's value is lost when Blazor takes the page over.
        await AuthenticatorSteps.WaitForCircuitAsync(phone);
        await phone.GetByLabel("Current password", new() { Exact = true }).First.FillAsync(Password);
        await phone.GetByLabel("New password", new() { Exact = true }).FillAsync("password1234");
        await ExpectVisibleAsync(phone, phone.GetByText("Strength: Very weak").Or(phone.GetByText("Strength: Weak")), "a weak rating");
        await phone.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await ExpectVisibleAsync(phone, phone.GetByText("Strength: Very strong").Or(phone.GetByText("Strength: Strong")), "a strong rating");
        await phone.GetByLabel("Confirm new password", new() { Exact = true }).FillAsync(NewPassword);
        Assert.True(await phone.GetByRole(AriaRole.Checkbox, new() { Name = "Sign out my other sessions" }).IsCheckedAsync());
        await phone.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await ExpectVisibleAsync(phone, phone.GetByText("Password changed. 1 other session was signed out."), "the confirmation");
        await BrowserFixture.SaveScreenshotAsync(phone, "account-390.png");

        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 390 px");
        await laptop.GotoAsync("/security");
        await WaitForPathAsync(laptop, "/Account/Login");
        Assert.Contains(await OutboxMail.BodiesToAsync(fixture.Factory, email), body => body.Contains("The password of your account was changed"));
        await phone.GotoAsync("/security");
        await ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the phone still signed in");
    }

    [Fact]
    public async Task WasntYou_OnASignInOfTheActivityFeed_SignsOutTheOtherBrowser_AndLeadsToChangingThePassword()
    {
        var email = OpenCircuitTests.NewEmail("wasnt-me");
        await fixture.Factory.CreateUserAsync(email, Password);
        var stranger = await fixture.NewPageAsync();
        await SignInAsync(stranger, email, Password);
        var phone = await fixture.NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await SignInAsync(phone, email, Password);

        await phone.GotoAsync("/security/activity?kind=sign-ins");
        var secure = phone.GetByRole(AriaRole.Button, new() { Name = "Wasn't you? Secure your account" });
        await ExpectVisibleAsync(phone, secure, "the button on each sign-in");
        Assert.Equal(2, await secure.CountAsync());
        await secure.First.ClickAsync();
        await ExpectVisibleAsync(phone, phone.GetByText("1 other session was signed out"), "what it did");

        Assert.Equal("/security/account", await phone.GetByRole(AriaRole.Link, new() { Name = "change your password" }).GetAttributeAsync("href"));
        await stranger.GotoAsync("/security");
        await WaitForPathAsync(stranger, "/Account/Login");
        await phone.GotoAsync("/security");
        await ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the phone still signed in");
        Assert.Contains(await OutboxMail.BodiesToAsync(fixture.Factory, email), body => body.Contains("1 other browser was signed out"));
    }

    [Fact]
    public async Task DownloadMyData_ThenDeleteMyAccount_OnAPhone_SignsOutEverywhere_AndTheAccountIsGone()
    {
        var email = OpenCircuitTests.NewEmail("leaver");
        await fixture.Factory.CreateUserAsync(email, Password);
        var laptop = await fixture.NewPageAsync();
        await SignInAsync(laptop, email, Password);
        var phone = await fixture.NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await SignInAsync(phone, email, Password);
        await phone.GotoAsync("/security/account");
        await AuthenticatorSteps.WaitForCircuitAsync(phone);

        var download = await phone.RunAndWaitForDownloadAsync(() => phone.GetByRole(AriaRole.Link, new() { Name = "Download my data" }).ClickAsync());
        var json = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("tessera-data-", download.SuggestedFilename);
        Assert.Contains($"\"email\": \"{email}\"", json);

        var card = phone.Locator(".privacy-card");
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await card.GetByLabel("Type your email address to confirm").FillAsync("not-my-address@example.com");
        await card.GetByLabel("Current password").FillAsync(Password);
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await ExpectVisibleAsync(phone, card.GetByText("The address you typed is not this account's."), "the refusal of a wrong address");
        await card.GetByLabel("Type your email address to confirm").FillAsync(email);
        await card.GetByLabel("Current password").FillAsync(Password);
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();

        await WaitForPathAsync(phone, "/Account/Deleted");
        await ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Heading, new() { Name = "Your account was deleted" }), "the farewell page");
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 390 px");
        await laptop.GotoAsync("/security");
        await WaitForPathAsync(laptop, "/Account/Login");
        await SignInAsync(phone, email, Password);
        await ExpectVisibleAsync(phone, phone.GetByText("Invalid sign-in attempt"), "the sign-in refused");
        Assert.Contains(await OutboxMail.BodiesToAsync(fixture.Factory, email), body => body.Contains("Your account was deleted"));
    }
}
