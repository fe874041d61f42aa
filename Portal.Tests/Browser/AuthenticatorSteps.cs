using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Adding an authenticator app as a person does: scan the QR code off the screen (zbarimg), type the code the app
/// shows (oathtool). Nothing here computes a code with Tessera's own code.
/// </summary>
internal static class AuthenticatorSteps
{
    private const string ZbarImg = "/usr/bin/zbarimg";
    private const string OathTool = "/usr/bin/oathtool";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);

    public static async Task OpenEnrollmentAsync(IPage page)
    {
        var response = await page.GotoAsync("/security/authenticators");
        Assert.True(response is { Ok: true }, $"GET /security/authenticators answered {response?.Status}: {await page.InnerTextAsync("body")}");
        await WaitForCircuitAsync(page);
        var qr = page.GetByTestId("qr-code");
        await ClickUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add authenticator app" }), async () => await qr.CountAsync() > 0);
        await ExpectVisibleAsync(page, qr, "the QR code");
        await BrowserFixture.SaveScreenshotAsync(page, "authenticators.png");
    }

    /// <summary>Reads the QR code the way a phone does: from the pixels on the screen.</summary>
    public static async Task<Uri> ScanQrCodeAsync(IPage page)
    {
        var png = Path.Combine(Path.GetTempPath(), $"tessera-qr-{Guid.NewGuid():N}.png");
        try
        {
            await page.GetByTestId("qr-code").ScreenshotAsync(new() { Path = png });
            var text = (await RunToolAsync(ZbarImg, "zbar-tools", "--raw", "-q", png)).Trim();
            Assert.True(text.StartsWith("otpauth://totp/", StringComparison.Ordinal), $"The QR code on {page.Url} does not hold an otpauth://totp/ URI: '{text}'.");
            return new Uri(text);
        }
        finally
        {
            File.Delete(png);
        }
    }

    /// <summary>Names the app, types its code, and returns the recovery codes shown once, after saving them.</summary>
    public static async Task<IReadOnlyList<string>> ConfirmEnrollmentAsync(IPage page, string name, string code)
    {
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Code from the app", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and add" }).ClickAsync();
        var list = page.GetByTestId("recovery-codes");
        await ExpectVisibleAsync(page, list, "the recovery codes");
        var codes = (await list.Locator("li").AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
        await page.GetByRole(AriaRole.Button, new() { Name = "I have saved them" }).ClickAsync();
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add authenticator app" }), "the enrollment card after saving the codes");
        return codes;
    }

    /// <summary>The code an authenticator app shows at <paramref name="at"/>, from oathtool.</summary>
    public static async Task<string> CodeAsync(string base32Secret, DateTimeOffset at)
    {
        var now = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var code = (await RunToolAsync(OathTool, "oathtool", "--totp", "-b", "--now", now, base32Secret)).Trim();
        Assert.Matches("^[0-9]{6}$", code);
        return code;
    }

    /// <summary>Runs a Debian tool with a bounded wait. A missing tool is a broken test machine: fail, never skip.</summary>
    public static async Task<string> RunToolAsync(string path, string debianPackage, params string[] args)
    {
        if (!File.Exists(path))
        {
            Assert.Fail($"The authenticator browser tests need {path}, and it is missing. Install it (apt-get install {debianPackage}).");
        }
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{path} {string.Join(' ', args)} did not exit within {ToolTimeout}.");
        }
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{path} {string.Join(' ', args)} exited with {process.ExitCode}: {output}{await stderr}");
        return output;
    }

    /// <summary>Prerendered buttons do nothing until the Blazor circuit is up: wait for the script and its connection.</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
