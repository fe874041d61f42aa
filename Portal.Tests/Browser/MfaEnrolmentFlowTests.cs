using Microsoft.Playwright;
using Tessera.Portal.Cli;
using Tessera.Portal.Tests.Support;

using static Tessera.Portal.Tests.Browser.AuthenticatorSteps;
using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>An app whose MFA policy gives admins no grace: Policies__Mfa__GraceDays=0.</summary>
public sealed class NoGraceBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory) => factory.With("Policies:Mfa:GraceDays", "0").StartKestrel();
}

/// <summary>The first admin, made by create-admin, must add a second factor before the console opens.</summary>
public sealed class MfaEnrolmentFlowTests(NoGraceBrowserFixture fixture) : IClassFixture<NoGraceBrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task ANewAdmin_IsTakenToEnrolment_AddsAnAuthenticatorFromTheScreen_ThenReachesTheConsole()
    {
        var email = OpenCircuitTests.NewEmail("first-admin");
        var printed = new StringWriter();
        var exit = await CreateAdminCommand.RunAsync(fixture.Factory.Services, ["create-admin", "--email", email], new StringReader(Password + "\n"), printed);
        Assert.True(exit == 0, printed.ToString());
        Assert.Contains("Admins must add a second factor", printed.ToString());

        var page = await fixture.NewPageAsync();
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/security/passkeys");
        await ExpectVisibleAsync(page, page.GetByText("Your role requires a second factor"), "the MFA banner");
        await page.GotoAsync("/admin");
        await WaitForPathAsync(page, "/security/passkeys");

        await OpenEnrollmentAsync(page);
        var secret = (await ScanQrCodeAsync(page)).Query.Split('&').Select(p => p.Split('=')).First(p => p[0].TrimStart('?') == "secret")[1];
        await ConfirmEnrollmentAsync(page, "Phone", await CodeAsync(Uri.UnescapeDataString(secret), DateTimeOffset.UtcNow));
        await page.GotoAsync("/admin");

        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Admin console", Level = 1 }), "the admin console");
        Assert.Equal(0, await page.GetByText("Your role requires a second factor").CountAsync());
    }
}
