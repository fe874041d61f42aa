using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tessera.Domain.CrossDevice;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Push approval with two browsers, as a person does it: the phone registers itself on /security/devices, the laptop
/// signs in with the password and asks for a push, the stand-in push service receives and decrypts it, and the phone
/// opens the pushed link and types the number the laptop shows.
/// </summary>
public sealed class PushApprovalFlowTests(PushBrowserFixture fixture) : IClassFixture<PushBrowserFixture>
{
    [Fact]
    public async Task TypingTheLaptopsNumber_OnThePushedPage_SignsTheLaptopIn()
    {
        var email = QrBrowser.NewEmail("push-ada");
        await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var (phone, subscription) = await PushBrowser.RegisteredPhoneAsync(fixture, email);
        var laptop = await fixture.NewPageAsync();

        var number = await PushBrowser.AskForPushAsync(laptop, email);
        await BrowserFixture.SaveScreenshotAsync(laptop, "push-signin.png");
        var payload = await PushBrowser.ReceivedAsync(fixture, subscription);
        await PushBrowser.OpenOnPhoneAsync(phone, payload);
        var device = await phone.GetByTestId("push-device").InnerTextAsync();
        await BrowserFixture.SaveScreenshotAsync(phone, "push-approve.png");
        await PushBrowser.TypeAndApproveAsync(phone, number);
        await PageSteps.WaitForPathAsync(laptop, "/security");

        Assert.Equal("Tessera: approve this?", payload.GetProperty("title").GetString());
        Assert.StartsWith("Sign-in request: ", payload.GetProperty("body").GetString());
        Assert.Contains("Chrome", device);
        Assert.Contains("Approved", await phone.GetByTestId("push-result").InnerTextAsync());
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText($"Signed in as {email}"), "the laptop signed in");
        Assert.Empty(fixture.PolicyViolations);
    }

    [Fact]
    public async Task AWrongNumber_EndsTheRequest_AndTheLaptopIsTold()
    {
        var email = QrBrowser.NewEmail("push-bob");
        await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var (phone, subscription) = await PushBrowser.RegisteredPhoneAsync(fixture, email);
        var laptop = await fixture.NewPageAsync();

        var number = await PushBrowser.AskForPushAsync(laptop, email);
        var payload = await PushBrowser.ReceivedAsync(fixture, subscription);
        await PushBrowser.OpenOnPhoneAsync(phone, payload);
        await PushBrowser.TypeAndApproveAsync(phone, number == 99 ? 10 : number + 1);

        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("Denied on your device, or the number did not match"), "the laptop told of the end");
        Assert.Contains("did not match", await phone.GetByTestId("push-result").InnerTextAsync());
        Assert.Equal("/Account/LoginWithPush", new Uri(laptop.Url).AbsolutePath);
        Assert.DoesNotContain(await laptop.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    [Fact]
    public async Task ThisWasntMe_EndsTheSignIn_EmailsTheUser_AndOffersSignOutEverywhere()
    {
        var email = QrBrowser.NewEmail("push-eve");
        await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var (phone, subscription) = await PushBrowser.RegisteredPhoneAsync(fixture, email);
        var laptop = await fixture.NewPageAsync();

        await PushBrowser.AskForPushAsync(laptop, email);
        var payload = await PushBrowser.ReceivedAsync(fixture, subscription);
        await PushBrowser.OpenOnPhoneAsync(phone, payload);
        await PageSteps.ClickUntilAsync(phone, phone.GetByRole(AriaRole.Button, new() { Name = "This wasn't me" }),
            async () => await phone.GetByTestId("push-result").CountAsync() > 0);

        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("Denied on your device"), "the laptop told of the denial");
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }), "the offer to sign out everywhere");
        var mail = await OutboxMail.BodiesToAsync(fixture.Factory, email);
        Assert.Contains(mail, body => body.Contains("sign-in request pushed to your device was not yours", StringComparison.Ordinal));
        Assert.DoesNotContain(await laptop.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    [Fact]
    public async Task AFourthRequestWithinTenMinutes_IsRefused_WithTheReasonShown()
    {
        var email = QrBrowser.NewEmail("push-cat");
        var user = await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var (_, subscription) = await PushBrowser.RegisteredPhoneAsync(fixture, email);
        // Three answered requests in the last minutes, made through the service the pages use.
        var approvals = fixture.Factory.Services.GetRequiredService<PushApprovals>();
        for (var i = 1; i <= 3; i++)
        {
            var sent = await approvals.RequestAsync(new PushRequest(user.Id, PushApprovalKind.SignIn, null, PushFixture.Laptop));
            Assert.Equal(PushRequestOutcome.Sent, sent.Outcome);
            var token = (await PushBrowser.ReceivedAsync(fixture, subscription, count: i)).GetProperty("url").GetString()!["/push/".Length..];
            Assert.Equal(PushApprovalStatus.Approved, await approvals.ApproveAsync(token, user.Id, sent.Request!.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone));
        }
        var laptop = await fixture.NewPageAsync();

        await QrBrowser.SignInAsync(laptop, email, PushBrowser.Password);
        await PageSteps.WaitForPathAsync(laptop, "/Account/LoginWith2fa");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Send a push to Pixel 8" }).First.ClickAsync();

        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText("Only 3 push requests can be sent in 10 minutes"), "the refusal and its reason");
        Assert.Equal(0, await laptop.GetByTestId("push-number").CountAsync());
        Assert.Equal(3, fixture.Push.Requests.Count(p => p.SubscriptionId == subscription.Id));
    }

    [Fact]
    public async Task FromTheQrPage_APushWithoutAPassword_SignsTheLaptopIn()
    {
        var email = QrBrowser.NewEmail("push-dan");
        await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var (phone, subscription) = await PushBrowser.RegisteredPhoneAsync(fixture, email);
        var laptop = await fixture.NewPageAsync();

        await laptop.GotoAsync("/signin/qr");
        await laptop.GetByRole(AriaRole.Link, new() { Name = "No camera? Get a push on your phone instead" }).ClickAsync();
        await PageSteps.WaitForPathAsync(laptop, "/signin/push");
        await laptop.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Send a push" }).ClickAsync();
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByTestId("push-number"), "the number to type");
        var number = int.Parse((await laptop.GetByTestId("push-number").InnerTextAsync()).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var payload = await PushBrowser.ReceivedAsync(fixture, subscription);
        await PushBrowser.OpenOnPhoneAsync(phone, payload);
        await PushBrowser.TypeAndApproveAsync(phone, number);
        await PageSteps.WaitForPathAsync(laptop, "/security");

        Assert.StartsWith("Sign-in request without a password: ", payload.GetProperty("body").GetString());
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByText($"Signed in as {email}"), "the laptop signed in");
    }

    [Fact]
    public async Task TheServiceWorker_ShowsAPushedRequest_AsANotification()
    {
        var email = QrBrowser.NewEmail("push-sw");
        await fixture.Factory.CreateUserAsync(email, PushBrowser.Password);
        var page = await fixture.NewPageAsync();
        await page.Context.GrantPermissionsAsync(["notifications"]);
        await page.GotoAsync("/");
        // Activated, not only active: a push event sent while the worker is still activating may be dropped (seen under CI load).
        await page.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'",
            null, new() { PollingInterval = 100, Timeout = 15_000 });
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var registration = new TaskCompletionSource<string>();
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (r.GetProperty("scopeURL").GetString() == fixture.BaseUrl.ToString())
                {
                    registration.TrySetResult(r.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var id = await registration.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var data = $$"""{"title":"Tessera: approve this?","body":"Sign-in request: Firefox 133 on Windows","url":"/push/abc","tag":"push-1","at":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"expiresAt":{{DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeMilliseconds()}}}""";

        var push = new Dictionary<string, object> { ["origin"] = fixture.BaseUrl.GetLeftPart(UriPartial.Authority), ["registrationId"] = id, ["data"] = data };

        await cdp.SendAsync("ServiceWorker.deliverPushMessage", push);
        // One more delivery if a busy machine lost the first (the same tag replaces, so one notification either way).
        var notification = await ShownNotificationAsync(page, TimeSpan.FromSeconds(5))
            ?? await DeliverAgainAsync(cdp, push, page);

        Assert.Equal("Tessera: approve this?", notification.GetProperty("title").GetString());
        Assert.StartsWith("Sign-in request: Firefox 133 on Windows · at ", notification.GetProperty("body").GetString());
        Assert.Equal("push-1", notification.GetProperty("tag").GetString());
    }

    /// <summary>The first notification the service worker shows, polled for until <paramref name="patience"/> is over; null if none.</summary>
    private static async Task<System.Text.Json.JsonElement?> ShownNotificationAsync(IPage page, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var shown = await page.EvaluateAsync<System.Text.Json.JsonElement>("""
                async () => {
                    const list = await (await navigator.serviceWorker.ready).getNotifications();
                    return list.length ? { title: list[0].title, body: list[0].body, tag: list[0].tag } : null;
                }
                """);
            if (shown.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                return shown;
            }
            await Task.Delay(200);
        }
        return null;
    }

    private static async Task<System.Text.Json.JsonElement> DeliverAgainAsync(ICDPSession cdp, Dictionary<string, object> push, IPage page)
    {
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", push);
        return await ShownNotificationAsync(page, TimeSpan.FromSeconds(10))
            ?? throw new Xunit.Sdk.XunitException("The service worker showed no notification for two delivered pushes within 15 seconds.");
    }
}
