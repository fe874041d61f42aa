using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OtpNet;
using Tessera.Domain.Accounts;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Finding 4 in an open page: after an admin lock, a circuit added an authenticator app 3 s and a passkey 8 s later;
/// a demoted admin's open console kept acting. A circuit now checks its session before every browser event.
/// </summary>
public sealed class OpenCircuitTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task AfterALock_AnOpenEnrollmentPage_CannotAddTheAuthenticator()
    {
        var admin = await fixture.Factory.CreateUserAsync(NewEmail("locker"), Password, Roles.Admin);
        var user = await fixture.Factory.CreateUserAsync(NewEmail("victim"), Password);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, user.Email!, Password);
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync("/security/authenticators");
        await WaitForCircuitAsync(page);
        var qr = page.GetByTestId("qr-code");
        await ClickUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add authenticator app" }), async () => await qr.CountAsync() > 0);
        var secret = Base32Encoding.ToBytes((await page.GetByTestId("manual-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal));
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Attacker's phone");

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AccountAdministration>().LockAsync(user.Id, admin.Id, fixture.Factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount))).Succeeded);
        }
        try
        {
            // The first event after the lock may already reload the page: then the form is gone, as it should be.
            await page.GetByLabel("Code from the app", new() { Exact = true }).FillAsync(new Totp(secret).ComputeTotp(DateTime.UtcNow), new() { Timeout = 3_000 });
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and add" }).ClickAsync(new() { Timeout = 3_000 });
        }
        catch (TimeoutException)
        {
        }

        await WaitForPathAsync(page, "/Account/Login");
        Assert.Equal(0, await CountAsync(db => db.TotpAuthenticators.CountAsync(a => a.UserId == user.Id)));
    }

    [Fact]
    public async Task ADemotedAdmin_sOpenConsole_CannotMakeAnyoneAdmin()
    {
        var other = await fixture.Factory.CreateUserAsync(NewEmail("other"), Password, Roles.Admin);
        var demoted = await fixture.Factory.CreateUserAsync(NewEmail("demoted"), Password, Roles.Admin);
        var attacker = await fixture.Factory.CreateUserAsync(NewEmail("attacker"), Password);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, demoted.Email!, Password);
        await WaitForPathAsync(page, "/security");
        await page.GotoAsync($"/admin/users/{attacker.Id}");
        await WaitForCircuitAsync(page);
        var promote = page.GetByRole(AriaRole.Button, new() { Name = "Grant Admin" });
        await ExpectVisibleAsync(page, promote, "the Grant Admin button");

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserDirectory>().SetAdminAsync(demoted.Id, false, other.Id, scope.ServiceProvider.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(other.Id, Tessera.Domain.Accounts.StepUpPurposes.RemoveAdmin))).Succeeded);
        }
        await promote.ClickAsync();

        // The page reloads without the role: the console refuses it.
        await ExpectVisibleAsync(page, page.GetByText("Access denied"), "the refusal after the reload");
        await using var scope2 = fixture.Factory.Services.CreateAsyncScope();
        var users = scope2.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.False(await users.IsInRoleAsync((await users.FindByIdAsync(attacker.Id))!, Roles.Admin));
    }

    [Fact]
    public async Task AnIdleOpenPage_TurnsToTheSignInPage_WithinSeconds_OfARevoke()
    {
        var admin = await fixture.Factory.CreateUserAsync(NewEmail("revoker"), Password, Roles.Admin);
        var user = await fixture.Factory.CreateUserAsync(NewEmail("idle"), Password);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, user.Email!, Password);
        await page.GotoAsync("/security/sessions");
        await WaitForCircuitAsync(page);

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AccountAdministration>().RevokeSessionsAsync(user.Id, admin.Id)).Succeeded);
        }

        // No click: the circuit's own check (every 5 seconds) notices.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/Account/Login", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task TheMfaDeadline_IsShownInTheReadersTimeZone()
    {
        var admin = await fixture.Factory.CreateUserAsync(NewEmail("deadline"), Password, Roles.Admin);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, admin.Email!, Password);
        await WaitForPathAsync(page, "/security");
        await WaitForCircuitAsync(page);
        var deadline = page.Locator(".mfa-banner time[data-local-time]");
        await ExpectVisibleAsync(page, deadline, "the MFA deadline");

        // The server renders "yyyy-MM-dd HH:mm UTC"; the script replaces it with the browser's own date and time.
        await page.WaitForFunctionAsync("() => !document.querySelector('.mfa-banner time').textContent.endsWith('UTC')");
        var shown = await deadline.InnerTextAsync();
        var expected = await page.EvaluateAsync<string>(
            "() => new Date(document.querySelector('.mfa-banner time').getAttribute('datetime')).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })");
        Assert.Equal(expected, shown);
    }

    private async Task<int> CountAsync(Func<PortalDbContext, Task<int>> query)
    {
        await using var db = await fixture.Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    internal static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    internal static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}

/// <summary>The app in Production on a known port, so that its public base URL (and so its allowed Origin) is that port.</summary>
public sealed class ProductionBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory)
    {
        var port = PortalProcess.FreePort();
        factory.InProduction($"http://127.0.0.1:{port}");
        return factory.StartKestrel(port);
    }
}

/// <summary>Finding 8: in Production GET /dev/outbox was 404, but Blazor.navigateTo('/dev/outbox') in a circuit rendered it.</summary>
public sealed class DevelopmentPagesInProductionTests(ProductionBrowserFixture fixture) : IClassFixture<ProductionBrowserFixture>
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task TheDevOutbox_ReachedByCircuitNavigation_IsNotFound()
    {
        var user = await fixture.Factory.CreateUserAsync(OpenCircuitTests.NewEmail("prod"), Password);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, user.Email!, Password);
        await WaitForPathAsync(page, "/security");
        await OpenCircuitTests.WaitForCircuitAsync(page);
        var direct = await page.APIRequest.GetAsync("/dev/outbox");

        await page.EvaluateAsync("() => Blazor.navigateTo('/dev/outbox')");

        await WaitForPathAsync(page, "/dev/outbox");
        await ExpectVisibleAsync(page, page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" }), "the not-found page");
        Assert.Equal(0, await page.GetByText("Development outbox").CountAsync());
        Assert.Equal(404, direct.Status);
    }
}
