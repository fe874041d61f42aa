using System.Text.RegularExpressions;
using Microsoft.Playwright;

using static Tessera.Portal.Tests.Browser.AuthenticatorSteps;
using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Authenticator apps as a person uses them: scan the QR code off the screen (zbarimg), type the codes an app shows
/// (oathtool), keep the recovery codes. Nothing here computes a code with Tessera's own code.
/// </summary>
public sealed partial class AuthenticatorFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Enrollment_FromTheScannedQrCode_AddsTheAppAndShowsTenRecoveryCodes()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("ada");
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/security");

        await OpenEnrollmentAsync(page);
        var uri = await ScanQrCodeAsync(page);
        var manualKey = (await page.GetByTestId("manual-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var query = QueryOf(uri);
        var recoveryCodes = await ConfirmEnrollmentAsync(page, "Phone", await CodeAsync(query["secret"], DateTimeOffset.UtcNow));
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Cell, new() { Name = "Phone", Exact = true }), "the new authenticator in the list");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByText("10 of your recovery codes are left"), "the recovery code count");
        var factorsText = await page.GetByRole(AriaRole.Table).First.InnerTextAsync();

        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        Assert.Contains(email, Uri.UnescapeDataString(uri.AbsolutePath));
        Assert.Equal("Tessera", query["issuer"]);
        Assert.Equal("SHA1", query["algorithm"]);
        Assert.Equal("6", query["digits"]);
        Assert.Equal("30", query["period"]);
        Assert.Equal(manualKey.TrimEnd('='), query["secret"].TrimEnd('='));
        Assert.Equal(10, recoveryCodes.Count);
        Assert.All(recoveryCodes, code => Assert.Matches(RecoveryCodeFormat(), code));
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        Assert.Contains("Authenticator app", factorsText);
        Assert.Contains("Phone", factorsText);
    }

    [Fact]
    public async Task SignIn_WithAFreshAppCode_Succeeds_AndTheSameCodeIsRefusedTheNextTime()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("grace");
        var enrolled = await EnrollAsync(page, email);
        await SignOutAsync(page);

        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/Account/LoginWith2fa");
        // The enrollment used the current step: the app's next code is fresh, and the ±1 step window accepts it.
        var code = await CodeAsync(enrolled.Secret, DateTimeOffset.UtcNow.AddSeconds(30));
        await SubmitAuthenticatorCodeAsync(page, code);
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the security center");
        await SignOutAsync(page);
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/Account/LoginWith2fa");
        await SubmitAuthenticatorCodeAsync(page, code);
        await ExpectVisibleAsync(page, page.GetByText("That code was already used"), "the replay error");

        Assert.Equal("/Account/LoginWith2fa", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnce_AndIsRefusedTheSecondTime()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("linus");
        var enrolled = await EnrollAsync(page, email);
        await SignOutAsync(page);

        await SignInWithRecoveryCodeAsync(page, email, enrolled.RecoveryCodes[0]);
        await WaitForPathAsync(page, "/security");
        await SignOutAsync(page);
        await SignInWithRecoveryCodeAsync(page, email, enrolled.RecoveryCodes[0]);
        await ExpectVisibleAsync(page, page.GetByText("That recovery code is not valid or was already used"), "the used-recovery-code error");
        var pathAfterReuse = new Uri(page.Url).AbsolutePath;
        await page.GetByLabel("Recovery code", new() { Exact = true }).FillAsync(enrolled.RecoveryCodes[1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with recovery code" }).ClickAsync();
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByText("8 of your recovery codes are left"), "the recovery code count");

        Assert.Equal("/Account/LoginWithRecoveryCode", pathAfterReuse);
    }

    [Fact]
    public async Task RemovingAnAuthenticator_NeedsTheCurrentPassword()
    {
        var page = await fixture.NewPageAsync();
        var email = NewEmail("barbara");
        await EnrollAsync(page, email);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove Phone" }).ClickAsync();
        var password = page.GetByLabel("Current password", new() { Exact = true });
        await ExpectVisibleAsync(page, password, "the password prompt");
        await password.FillAsync("not-my-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove authenticator" }).ClickAsync();
        await ExpectVisibleAsync(page, page.GetByText("That did not confirm it is you"), "the wrong-password error");
        var stillListed = await page.GetByRole(AriaRole.Cell, new() { Name = "Phone", Exact = true }).CountAsync();
        await password.FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove authenticator" }).ClickAsync();

        await ExpectVisibleAsync(page, page.GetByText("No authenticator apps yet"), "the empty authenticator list");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByText("No factors yet"), "the empty factor list");

        Assert.Equal(1, stillListed);
    }

    private sealed record Enrollment(string Secret, IReadOnlyList<string> RecoveryCodes);

    /// <summary>A new user signs in with the password and adds an authenticator named "Phone", as they would by hand.</summary>
    private async Task<Enrollment> EnrollAsync(IPage page, string email)
    {
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/security");
        await OpenEnrollmentAsync(page);
        var secret = QueryOf(await ScanQrCodeAsync(page))["secret"];
        var recoveryCodes = await ConfirmEnrollmentAsync(page, "Phone", await CodeAsync(secret, DateTimeOffset.UtcNow));
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Cell, new() { Name = "Phone", Exact = true }), "the new authenticator in the list");
        return new Enrollment(secret, recoveryCodes);
    }

    private static async Task SubmitAuthenticatorCodeAsync(IPage page, string code)
    {
        await page.GetByLabel("Authentication code", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    private static async Task SignInWithRecoveryCodeAsync(IPage page, string email, string recoveryCode)
    {
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/Account/LoginWith2fa");
        await page.GetByRole(AriaRole.Link, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await WaitForPathAsync(page, "/Account/LoginWithRecoveryCode");
        await page.GetByLabel("Recovery code", new() { Exact = true }).FillAsync(recoveryCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with recovery code" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    private static Dictionary<string, string> QueryOf(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "", StringComparer.Ordinal);

    private static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    [GeneratedRegex("^[A-Z0-9]{5}-[A-Z0-9]{5}$")]
    private static partial Regex RecoveryCodeFormat();
}
