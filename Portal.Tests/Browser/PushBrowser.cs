using System.Text.Json;
using Microsoft.Playwright;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// A Tessera server whose pushes go to an in-process push service stand-in on 127.0.0.1 (Push:AllowLoopbackEndpoints,
/// Development only): the stand-in decrypts every payload with the subscription's private key and checks its VAPID token.
/// </summary>
public class PushBrowserFixture : BrowserFixture, IAsyncLifetime
{
    public FakePushService Push { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Push = await FakePushService.StartAsync();
        await base.InitializeAsync();
    }

    protected override Uri StartServer(TesseraFactory factory) => factory.With("Push:AllowLoopbackEndpoints", "true").StartKestrel();

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Push.DisposeAsync();
    }
}

/// <summary>The steps of push approval in a browser: the phone registers, the laptop asks, the phone answers.</summary>
internal static class PushBrowser
{
    public const string Password = "correct-horse-battery";

    /// <summary>
    /// Headless Chromium has no push service: the page's PushManager is replaced by one whose subscription points at
    /// the stand-in (keys it made), and notification permission is granted. Everything else is the real page.
    /// </summary>
    public static async Task UseStandInPushServiceAsync(IPage phone, FakeSubscription subscription)
    {
        var json = JsonSerializer.Serialize(new { endpoint = subscription.Endpoint, keys = new { p256dh = subscription.P256dh, auth = subscription.Auth } });
        await phone.Context.GrantPermissionsAsync(["notifications"]);
        await phone.Context.AddInitScriptAsync($$"""
            (() => {
                const data = {{json}};
                const subscription = { endpoint: data.endpoint, options: {}, toJSON: () => data, unsubscribe: async () => true };
                if (window.PushManager) {
                    PushManager.prototype.subscribe = async function () { return subscription; };
                    PushManager.prototype.getSubscription = async function () { return null; };
                }
            })();
            """);
    }

    /// <summary>A signed-in phone that registered itself as "Pixel 8" on /security/devices.</summary>
    public static async Task<(IPage Phone, FakeSubscription Subscription)> RegisteredPhoneAsync(PushBrowserFixture fixture, string email)
    {
        var phone = await fixture.NewPageAsync();
        var subscription = fixture.Push.Subscribe();
        await UseStandInPushServiceAsync(phone, subscription);
        await QrBrowser.SignInAsync(phone, email, Password);
        await PageSteps.WaitForPathAsync(phone, "/security");
        await phone.GotoAsync("/security/devices");
        await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var button = phone.GetByRole(AriaRole.Button, new() { Name = "Use this device for sign-in approvals" });
        await PageSteps.ExpectVisibleAsync(phone, button, "the button to use this device for approvals");
        await phone.GetByLabel("Name for this device").FillAsync("Pixel 8");
        await PageSteps.ClickUntilAsync(phone, button, async () => await phone.GetByTestId("push-added").CountAsync() > 0 || await phone.GetByTestId("push-error").CountAsync() > 0);
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByTestId("push-added"), "the device registered");
        return (phone, subscription);
    }

    /// <summary>The laptop signs in with the password and asks for a push to Pixel 8; returns the number it shows.</summary>
    public static async Task<int> AskForPushAsync(IPage laptop, string email)
    {
        await QrBrowser.SignInAsync(laptop, email, Password);
        await PageSteps.WaitForPathAsync(laptop, "/Account/LoginWith2fa");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Send a push to Pixel 8" }).First.ClickAsync();
        await PageSteps.WaitForPathAsync(laptop, "/Account/LoginWithPush");
        await PageSteps.ExpectVisibleAsync(laptop, laptop.GetByTestId("push-number"), "the number to type");
        return int.Parse((await laptop.GetByTestId("push-number").InnerTextAsync()).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The newest push to <paramref name="subscription"/>, decrypted by the stand-in.</summary>
    public static async Task<JsonElement> ReceivedAsync(PushBrowserFixture fixture, FakeSubscription subscription, int count = 1)
    {
        var pushes = await fixture.Push.WaitAsync(r => r.Count(p => p.SubscriptionId == subscription.Id && p.Status == 201) >= count, TimeSpan.FromSeconds(20));
        var push = pushes.Last(p => p.SubscriptionId == subscription.Id && p.Status == 201);
        Assert.Null(push.DecryptError);
        Assert.True(push.Vapid.Valid, push.Vapid.Error);
        return JsonDocument.Parse(push.Plaintext!).RootElement.Clone();
    }

    /// <summary>Opens the pushed link on the phone, as tapping the notification does, and waits for the circuit.</summary>
    public static async Task OpenOnPhoneAsync(IPage phone, JsonElement payload)
    {
        await phone.GotoAsync(payload.GetProperty("url").GetString()!);
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByLabel("Number shown on the other screen"), "the number field");
        await phone.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>Types the number and approves, again if a click raced the circuit, until the phone shows the result.</summary>
    public static async Task TypeAndApproveAsync(IPage phone, int number)
    {
        await phone.GetByLabel("Number shown on the other screen").FillAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await PageSteps.ClickUntilAsync(phone, phone.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }),
            async () => await phone.GetByTestId("push-result").CountAsync() > 0);
    }
}
