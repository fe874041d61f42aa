using Microsoft.Playwright;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>A QR sign-in server: the tests' browsers all come from 127.0.0.1, so the per-address cap is raised.</summary>
public class QrBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory) =>
        factory.With("CrossDevice:MaxLiveSessionsPerIp", "100").StartKestrel();
}

/// <summary>
/// QR sign-in with two browsers, as a person does it: the laptop shows a code, the phone (another browser context,
/// signed in) reads it off the laptop's screen with zbarimg, picks the number the laptop shows, and approves.
/// </summary>
public sealed class QrSignInFlowTests(QrBrowserFixture fixture) : IClassFixture<QrBrowserFixture>
{
    private const string Password = "correct-horse-battery";
    private const string AuthCookie = "Tessera.Auth";

    [Fact]
    public async Task Approval_WithTheLaptopsNumber_SignsTheLaptopInOnTheSecurityPage()
    {
        var email = QrBrowser.NewEmail("qr-ada");
        await fixture.Factory.CreateUserAsync(email, Password);
        var phone = await SignedInPhoneAsync(email);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        await BrowserFixture.SaveScreenshotAsync(laptop, "qr-signin.png");

        var url = await QrBrowser.ScanAsync(laptop);
        var number = await QrBrowser.NumberAsync(laptop);
        await QrBrowser.OpenOnPhoneAsync(phone, url);
        var device = await phone.GetByTestId("qr-device").InnerTextAsync();
        await QrBrowser.PickAsync(phone, number);
        await PageSteps.WaitForPathAsync(laptop, "/security");

        Assert.Contains("Approved", await phone.GetByTestId("qr-result").InnerTextAsync());
        Assert.StartsWith("Chrome", device);
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText($"Signed in as {email}"), "the laptop signed in as the phone's user");
        Assert.Contains(await laptop.Context.CookiesAsync(), c => c.Name == AuthCookie);
    }

    [Fact]
    public async Task WrongNumber_DeniesTheSession_AndTheLaptopIsTold()
    {
        var email = QrBrowser.NewEmail("qr-bob");
        await fixture.Factory.CreateUserAsync(email, Password);
        var phone = await SignedInPhoneAsync(email);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        var url = await QrBrowser.ScanAsync(laptop);
        var number = await QrBrowser.NumberAsync(laptop);

        await QrBrowser.OpenOnPhoneAsync(phone, url);
        var wrong = number == 99 ? 10 : number + 1;
        await QrBrowser.PickAsync(phone, wrong);
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("Denied on your phone"), "the laptop told of the denial");

        Assert.Contains("Denied", await phone.GetByTestId("qr-result").InnerTextAsync());
        Assert.Equal("/signin/qr", new Uri(laptop.Url).AbsolutePath);
        Assert.DoesNotContain(await laptop.Context.CookiesAsync(), c => c.Name == AuthCookie);
    }

    [Fact]
    public async Task ThirdBrowser_WithTheQrUrl_CannotUseIt_AndASecondRedemptionIsRefused()
    {
        var email = QrBrowser.NewEmail("qr-cy");
        var otherEmail = QrBrowser.NewEmail("qr-eve");
        await fixture.Factory.CreateUserAsync(email, Password);
        await fixture.Factory.CreateUserAsync(otherEmail, Password);
        var phone = await SignedInPhoneAsync(email);
        var third = await SignedInPhoneAsync(otherEmail);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        var sessionId = await laptop.Locator("[data-qr-session]").GetAttributeAsync("data-qr-session");
        var url = await QrBrowser.ScanAsync(laptop);
        var number = await QrBrowser.NumberAsync(laptop);

        await QrBrowser.OpenOnPhoneAsync(phone, url);
        await third.GotoAsync(url.ToString());
        await PageSteps.ExpectVisibleAsync(third, third.GetByText("This sign-in code is no longer valid"), "the QR URL refused to another user");
        await QrBrowser.PickAsync(phone, number);
        await third.Context.ClearCookiesAsync();
        await third.GotoAsync($"/qr/sessions/{sessionId}/redeem");
        var thirdPath = new Uri(third.Url).PathAndQuery;
        await PageSteps.WaitForPathAsync(laptop, "/security");
        await laptop.GotoAsync($"/qr/sessions/{sessionId}/redeem");
        var secondRedemption = new Uri(laptop.Url).PathAndQuery;

        Assert.Equal("/signin/qr?error=refused", thirdPath);
        Assert.DoesNotContain(await third.Context.CookiesAsync(), c => c.Name == AuthCookie);
        Assert.Equal("/signin/qr?error=refused", secondRedemption);
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("That sign-in could not be completed"), "the refused second redemption");
    }

    [Fact]
    public async Task SignedOutPhone_IsSentToSignInFirst_ThenBackToTheApproval()
    {
        var email = QrBrowser.NewEmail("qr-dee");
        await fixture.Factory.CreateUserAsync(email, Password);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        var url = await QrBrowser.ScanAsync(laptop);
        var phone = await fixture.NewPageAsync();

        await phone.GotoAsync(url.ToString());
        await PageSteps.WaitForPathAsync(phone, "/Account/Login");
        await QrBrowser.SignInAsync(phone, email, Password);
        await PageSteps.WaitForPathAsync(phone, url.AbsolutePath);

        await PageSteps.ExpectVisibleAsync(phone, phone.GetByLabel("Number shown on that screen"), "the number field after signing in");
    }

    private async Task<IPage> SignedInPhoneAsync(string email)
    {
        var phone = await fixture.NewPageAsync();
        await QrBrowser.SignInAsync(phone, email, Password);
        await PageSteps.WaitForPathAsync(phone, "/security");
        return phone;
    }
}

/// <summary>A server whose QR codes live five seconds (the shortest allowed), so a test can watch one expire.</summary>
public class ShortQrBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory) =>
        factory.With("CrossDevice:MaxLiveSessionsPerIp", "100").With("CrossDevice:SessionLifetime", "00:00:05").StartKestrel();
}

public sealed class QrSignInExpiryTests(ShortQrBrowserFixture fixture) : IClassFixture<ShortQrBrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task ExpiredCode_TheLaptopSaysSo_AndThePhoneCannotUseIt()
    {
        var email = QrBrowser.NewEmail("qr-old");
        await fixture.Factory.CreateUserAsync(email, Password);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        var url = await QrBrowser.ScanAsync(laptop);
        var phone = await fixture.NewPageAsync();
        await QrBrowser.SignInAsync(phone, email, Password);
        await PageSteps.WaitForPathAsync(phone, "/security");

        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("This code has expired. Get a new code."), "the expired status");
        await phone.GotoAsync(url.ToString());

        await PageSteps.ExpectVisibleAsync(phone, phone.GetByText("This sign-in code is no longer valid"), "the expired code refused on the phone");
        Assert.Equal(0, await phone.GetByLabel("Number shown on that screen").CountAsync());
    }
}
