using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// A phone whose user has a passkey must verify the user (Chromium's virtual authenticator) before the approval counts:
/// holding an unlocked, signed-in phone is not enough.
/// </summary>
public sealed class QrSignInPasskeyTests(PasskeyBrowserFixture fixture) : IClassFixture<PasskeyBrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Approval_ByAUserWithAPasskey_NeedsAVerifiedPasskeyAssertion()
    {
        var email = QrBrowser.NewEmail("qr-pk");
        await fixture.Factory.CreateUserAsync(email, Password);
        var (phone, authenticatorId, cdp) = await PhoneWithPasskeyAsync(email);
        var laptop = await fixture.NewPageAsync();
        await QrBrowser.OpenLaptopAsync(laptop);
        var url = await QrBrowser.ScanAsync(laptop);
        var number = await QrBrowser.NumberAsync(laptop);
        await QrBrowser.OpenOnPhoneAsync(phone, url);

        await cdp.SendAsync("WebAuthn.setUserVerified", new() { ["authenticatorId"] = authenticatorId, ["isUserVerified"] = false });
        await phone.GetByLabel("Number shown on that screen").FillAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await phone.GetByTestId("qr-approve").ClickAsync();
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Alert), "the refused passkey");
        var afterRefusal = await phone.GetByTestId("qr-result").CountAsync();
        await cdp.SendAsync("WebAuthn.setUserVerified", new() { ["authenticatorId"] = authenticatorId, ["isUserVerified"] = true });
        await QrBrowser.PickAsync(phone, number);
        await PageSteps.WaitForPathAsync(laptop, "/security");

        Assert.Equal(0, afterRefusal);
        Assert.Contains("Approved", await phone.GetByTestId("qr-result").InnerTextAsync());
        await using var db = await fixture.Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var userId = await fixture.Factory.AuditNameAsync(await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.PasskeyVerified && e.SubjectId == userId && e.Outcome == AuditOutcome.Success));
    }

    /// <summary>Signs in with the password, then adds a passkey on a virtual platform authenticator, as on the passkeys page.</summary>
    private async Task<(IPage Page, string AuthenticatorId, ICDPSession Cdp)> PhoneWithPasskeyAsync(string email)
    {
        var phone = await fixture.NewPageAsync();
        var cdp = await phone.Context.NewCDPSessionAsync(phone);
        await cdp.SendAsync("WebAuthn.enable", new() { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new()
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = false,
            },
        });
        var id = added!.Value.GetProperty("authenticatorId").GetString()!;
        // Presence stays off on the sign-in page: its conditional passkey request must not be answered on its own.
        await QrBrowser.SignInAsync(phone, email, Password);
        await PageSteps.WaitForPathAsync(phone, "/security");
        await cdp.SendAsync("WebAuthn.setAutomaticPresenceSimulation", new() { ["authenticatorId"] = id, ["enabled"] = true });

        await phone.GotoAsync("/security/passkeys");
        await phone.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await phone.GetByLabel("Passkey name", new() { Exact = true }).FillAsync("Phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByTestId("recovery-codes"), "the recovery codes after adding the passkey");
        await phone.GetByRole(AriaRole.Button, new() { Name = "I have saved them" }).ClickAsync();
        await PageSteps.ExpectVisibleAsync(phone, phone.GetByRole(AriaRole.Cell, new() { Name = "Phone", Exact = true }), "the new passkey");
        return (phone, id, cdp);
    }
}
