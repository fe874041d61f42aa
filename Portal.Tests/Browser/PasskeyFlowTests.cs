using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Passkeys as a person uses them, with Chromium's own WebAuthn stack and a virtual platform authenticator (Chrome
/// DevTools Protocol, WebAuthn domain) standing in for the fingerprint reader. Nothing here builds a WebAuthn response
/// with Tessera's code: the browser makes every credential and signature.
/// </summary>
public sealed class PasskeyFlowTests(PasskeyBrowserFixture fixture) : IClassFixture<PasskeyBrowserFixture>
{
    private const string Password = "correct-horse-battery";
    private const string Refused = "That passkey could not sign you in.";
    private const string IdentityCookie = "Tessera.Auth";

    [Fact]
    public async Task Enrollment_WithAPlatformAuthenticator_ListsThePasskeyAndShowsTenRecoveryCodes()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = NewEmail("ada");
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInWithPasswordAsync(page, authenticator, email, "/security");

        var recoveryCodes = await EnrollAsync(page, "Work laptop");
        await BrowserFixture.SaveScreenshotAsync(page, "passkeys.png");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByText("10 of your recovery codes are left"), "the recovery code count");
        var factorsText = await page.GetByRole(AriaRole.Table).First.InnerTextAsync();

        Assert.Equal(10, recoveryCodes.Count);
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        Assert.Contains("Work laptop", factorsText);
    }

    [Fact]
    public async Task AddAPasskey_ClickedTheMomentThePageAppears_BeforeItsCircuit_StartsTheCeremony()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = NewEmail("eager");
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInWithPasswordAsync(page, authenticator, email, "/security");

        // As soon as the prerendered page arrives, one click, never repeated: it must not be lost to the circuit's start.
        await page.GotoAsync("/security/passkeys", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();

        await ExpectVisibleAsync(page, page.GetByTestId("recovery-codes").Or(EnrollmentError(page)), "the ceremony's result");
        Assert.True(await EnrollmentError(page).CountAsync() == 0, $"Adding the passkey failed: {await page.InnerTextAsync("body")}");
    }

    [Fact]
    public async Task SignIn_WithPasswordThenPasskey_Succeeds()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = await NewUserWithPasskeyAsync(page, authenticator, "grace");
        await SignOutAsync(page);

        await SignInWithPasswordAsync(page, authenticator, email, "/Account/LoginWith2fa");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" }).ClickAsync();

        await ExpectSignedInAsync(page, email);
    }

    [Fact]
    public async Task PasswordlessSignIn_FromTheLoginButton_SignsInTheOwnerOfThePasskey()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = await NewUserWithPasskeyAsync(page, authenticator, "linus");
        await SignOutAsync(page);

        await SignInWithPasskeyAsync(page, authenticator);

        await ExpectSignedInAsync(page, email);
    }

    [Fact]
    public async Task Enrollment_WhenTheAuthenticatorCannotVerifyTheUser_FailsWithAMessage()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = NewEmail("barbara");
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInWithPasswordAsync(page, authenticator, email, "/security");
        await authenticator.SetUserVerifiedAsync(false);

        await OpenPasskeysAsync(page);
        await page.GetByLabel("Passkey name", new() { Exact = true }).FillAsync("No PIN");
        var add = page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" });
        var alert = EnrollmentError(page);
        await ClickUntilAsync(page, add, async () => await Busy(page).CountAsync() > 0 || await alert.CountAsync() > 0);
        await ExpectVisibleAsync(page, alert, "the enrollment error");

        Assert.Contains("cancelled or timed out", await alert.First.InnerTextAsync());
        Assert.Equal(1, await page.GetByText("No passkeys yet.").CountAsync());
        Assert.Empty(await authenticator.CredentialsAsync());
    }

    [Fact]
    public async Task SignIn_WhenTheResponseSaysTheUserWasNotVerified_IsRefused()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = await NewUserWithPasskeyAsync(page, authenticator, "margaret");
        await SignOutAsync(page);
        // The authenticator verifies the user, but its answer arrives with the UV flag cleared: the server must check it.
        await authenticator.OverrideResponseBitsAsync(badUserVerification: true);

        await SignInWithPasskeyAsync(page, authenticator);

        await ExpectRefusedAsync(page);
        var (type, detail) = await LastPasskeyFailureAsync(email);
        Assert.Equal(AuditEventTypes.PasskeyVerified, type);
        Assert.Contains("UserVerificationRequirementNotMet", detail);
    }

    [Fact]
    public async Task SignIn_WithASignCountBelowTheStoredOne_IsRefused()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = await NewUserWithPasskeyAsync(page, authenticator, "alan");
        await SignOutAsync(page);
        await SignInWithPasskeyAsync(page, authenticator);
        await ExpectSignedInAsync(page, email);
        await SignOutAsync(page);
        var original = Assert.Single(await authenticator.CredentialsAsync());
        var usedCount = original.GetProperty("signCount").GetInt32();
        // A copy of the key that counts afresh: same id and private key, counter back at zero.
        await authenticator.ReplaceCredentialAsync(original, signCount: 0);

        await SignInWithPasskeyAsync(page, authenticator);

        await ExpectRefusedAsync(page);
        var (type, detail) = await LastPasskeyFailureAsync(email);
        Assert.Equal(AuditEventTypes.PasskeyCloneSuspected, type);
        Assert.Contains($"stored={usedCount}", detail);
        Assert.True(usedCount > 0, $"The virtual authenticator's counter should have moved past 0 after a sign-in; it is {usedCount}.");
    }

    [Fact]
    public async Task SignIn_WithABogusSignature_IsRefused()
    {
        var (page, authenticator) = await NewPageWithAuthenticatorAsync();
        var email = await NewUserWithPasskeyAsync(page, authenticator, "edsger");
        await SignOutAsync(page);
        await authenticator.OverrideResponseBitsAsync(bogusSignature: true);

        await SignInWithPasskeyAsync(page, authenticator);

        await ExpectRefusedAsync(page);
        var (type, detail) = await LastPasskeyFailureAsync(email);
        Assert.Equal(AuditEventTypes.PasskeyVerified, type);
        Assert.Contains("InvalidSignature", detail);
    }

    /// <summary>A fresh browser context with one virtual platform authenticator: resident keys, user verification, no prompts.</summary>
    private async Task<(IPage Page, VirtualAuthenticator Authenticator)> NewPageWithAuthenticatorAsync()
    {
        var page = await fixture.NewPageAsync();
        // Records the mediation of every WebAuthn request the page makes, so a test can wait for one to be pending.
        await page.AddInitScriptAsync("""
            if (navigator.credentials) {
                const get = navigator.credentials.get.bind(navigator.credentials);
                window.__passkeyRequests = [];
                navigator.credentials.get = (options) => {
                    window.__passkeyRequests.push((options && options.mediation) || 'modal');
                    return get(options);
                };
            }
            """);
        var cdp = await page.Context.NewCDPSessionAsync(page);
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
                ["automaticPresenceSimulation"] = true,
            },
        });
        return (page, new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!));
    }

    private async Task<string> NewUserWithPasskeyAsync(IPage page, VirtualAuthenticator authenticator, string name)
    {
        var email = NewEmail(name);
        await fixture.Factory.CreateUserAsync(email, Password);
        await SignInWithPasswordAsync(page, authenticator, email, "/security");
        await EnrollAsync(page, "Laptop");
        return email;
    }

    private static async Task OpenPasskeysAsync(IPage page)
    {
        var response = await page.GotoAsync("/security/passkeys");
        Assert.True(response is { Ok: true }, $"GET /security/passkeys answered {response?.Status}: {await page.InnerTextAsync("body")}");
        await WaitForCircuitAsync(page);
    }

    /// <summary>Names the passkey, adds it, saves the recovery codes shown for a first factor, and waits for the list.</summary>
    private static async Task<IReadOnlyList<string>> EnrollAsync(IPage page, string name)
    {
        await OpenPasskeysAsync(page);
        await page.GetByLabel("Passkey name", new() { Exact = true }).FillAsync(name);
        var add = page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" });
        var codes = page.GetByTestId("recovery-codes");
        var error = EnrollmentError(page);
        // Clicked again only if the circuit lost the click: a second ceremony would meet the excluded credential.
        await ClickUntilAsync(page, add, async () => await Busy(page).CountAsync() > 0 || await codes.CountAsync() > 0 || await error.CountAsync() > 0);
        await ExpectVisibleAsync(page, codes.Or(error), "the recovery codes");
        Assert.True(await error.CountAsync() == 0, $"Adding the passkey failed: {await page.InnerTextAsync("body")}");
        var recoveryCodes = (await codes.Locator("li").AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
        await page.GetByRole(AriaRole.Button, new() { Name = "I have saved them" }).ClickAsync();
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true }), "the new passkey in the list");
        return recoveryCodes;
    }

    /// <summary>The "Add a passkey" button while its ceremony runs; counted, never waited for (it goes away on success).</summary>
    private static ILocator Busy(IPage page) =>
        page.Locator("button[disabled]").Filter(new() { HasText = "Add a passkey" });

    /// <summary>The alert inside the "Add a passkey" card (the success snackbar is an alert too, outside it).</summary>
    private static ILocator EnrollmentError(IPage page) =>
        page.Locator(".mud-paper")
            .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Add a passkey", Level = 2 }) })
            .GetByRole(AriaRole.Alert);

    /// <summary>
    /// Signs in with the password. The sign-in page also starts a conditional (autofill) passkey request on load, and
    /// Chromium's virtual authenticator answers such a request on its own while it simulates presence (a person would
    /// have to pick the passkey from the username field): presence is off while this page is open.
    /// </summary>
    private static async Task SignInWithPasswordAsync(IPage page, VirtualAuthenticator authenticator, string email, string nextPath)
    {
        await authenticator.SetPresenceAsync(false);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await WaitForPathAsync(page, nextPath);
        await authenticator.SetPresenceAsync(true);
    }

    /// <summary>
    /// Opens the sign-in page and, typing nothing, presses the passkey button. Presence comes back only once the page's
    /// conditional request is pending (so the authenticator does not answer it): the button must abort it and run its own.
    /// </summary>
    private static async Task SignInWithPasskeyAsync(IPage page, VirtualAuthenticator authenticator)
    {
        await authenticator.SetPresenceAsync(false);
        await page.GotoAsync("/Account/Login");
        await page.WaitForFunctionAsync("() => (window.__passkeyRequests || []).includes('conditional')");
        await authenticator.SetPresenceAsync(true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
    }

    private static async Task ExpectSignedInAsync(IPage page, string email)
    {
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync("/security");
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Security center", Level = 1 }), "the security center");
        Assert.Equal(email, (await page.GetByTitle("Signed in as").InnerTextAsync()).Trim());
    }

    private static async Task ExpectRefusedAsync(IPage page)
    {
        var status = page.Locator("[data-passkey-status]");
        await ExpectVisibleAsync(page, status.Filter(new() { HasText = Refused }), "the passkey refusal");
        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == IdentityCookie);
    }

    /// <summary>The page says only "could not sign you in"; the audit log says why, which tells one refusal from another.</summary>
    private async Task<(string Type, string Detail)> LastPasskeyFailureAsync(string email)
    {
        await using var db = await fixture.Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var userId = await fixture.Factory.AuditNameAsync(await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var failure = await db.AuditEvents
            .Where(e => e.SubjectId == userId && e.Outcome == AuditOutcome.Failure
                && (e.Type == AuditEventTypes.PasskeyVerified || e.Type == AuditEventTypes.PasskeyCloneSuspected))
            .OrderByDescending(e => e.Sequence).FirstOrDefaultAsync();
        Assert.True(failure is not null, $"No failed passkey assertion is in the audit log for {email}.");
        return (failure.Type, failure.Detail ?? "");
    }

    private static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    /// <summary>Prerendered buttons do nothing until the Blazor circuit is up: wait for the script and its connection.</summary>
    private static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
