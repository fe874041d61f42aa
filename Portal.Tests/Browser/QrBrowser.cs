using System.Diagnostics;
using Microsoft.Playwright;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>The steps of the QR sign-in browser tests: the laptop's page, reading its code, and the phone's choices.</summary>
internal static class QrBrowser
{
    private const string ZbarImg = "/usr/bin/zbarimg";

    public static async Task OpenLaptopAsync(IPage laptop)
    {
        // From the sign-in page's link, as a person gets there: the page's script must run after that navigation too.
        await laptop.GotoAsync("/Account/Login");
        await laptop.GetByRole(AriaRole.Link, new() { Name = "Sign in with your phone (QR)" }).ClickAsync();
        await WaitForPathAsync(laptop, "/signin/qr");
        await ExpectVisibleAsync(laptop, laptop.GetByTestId("qr-code"), "the QR code");
    }

    public static async Task<int> NumberAsync(IPage laptop) =>
        int.Parse((await laptop.GetByTestId("qr-number").InnerTextAsync()).Trim());

    /// <summary>Reads the code the way a phone does: from the pixels on the laptop's screen.</summary>
    public static async Task<Uri> ScanAsync(IPage laptop)
    {
        var png = Path.Combine(Path.GetTempPath(), $"tessera-qr-{Guid.NewGuid():N}.png");
        try
        {
            await laptop.GetByTestId("qr-code").ScreenshotAsync(new() { Path = png });
            var text = (await ZbarAsync(png)).Trim();
            Assert.True(Uri.TryCreate(text, UriKind.Absolute, out var url) && url.AbsolutePath.StartsWith("/qr/", StringComparison.Ordinal),
                $"The QR code on {laptop.Url} does not hold a /qr/ URL: '{text}'.");
            return url;
        }
        finally
        {
            File.Delete(png);
        }
    }

    public static async Task OpenOnPhoneAsync(IPage phone, Uri url)
    {
        await phone.GotoAsync(url.ToString());
        await ExpectVisibleAsync(phone, phone.GetByLabel("Number shown on that screen"), "the number field");
        // Prerendered buttons do nothing until the Blazor circuit is up.
        await phone.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>Types the number and approves, again if a click raced the circuit and was lost, until the phone shows the result.</summary>
    public static async Task PickAsync(IPage phone, int number)
    {
        var result = phone.GetByTestId("qr-result");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await result.CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Picking {number} on {phone.Url} had no effect. The page says: {await phone.InnerTextAsync("body")}");
            var field = phone.GetByLabel("Number shown on that screen");
            if (await field.CountAsync() > 0)
            {
                await field.FillAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await phone.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
            }
            await Task.Delay(500);
        }
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        if (new Uri(page.Url).AbsolutePath != "/Account/Login")
        {
            await page.GotoAsync("/Account/Login");
        }
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    public static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    /// <summary>A missing zbarimg is a broken test machine: the shared tool step fails, never skips.</summary>
    private static Task<string> ZbarAsync(string png) => AuthenticatorSteps.RunToolAsync(ZbarImg, "zbar-tools", "--raw", "-q", png);
}
