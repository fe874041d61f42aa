using Microsoft.Playwright;
using Tessera.Domain.Accounts;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>What one browser does shows up in the admin console of another, through the real app end to end.</summary>
public sealed class AdminAuditFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FailedSignIn_InOneBrowser_AppearsInTheAdminsAuditGridFilteredByThatUser()
    {
        var victim = $"victim-{Guid.NewGuid():N}@example.com";
        var admin = $"admin-{Guid.NewGuid():N}@example.com";
        var victimUser = await fixture.Factory.CreateUserAsync(victim, Password);
        await fixture.Factory.CreateUserAsync(admin, Password, Roles.Admin);

        // Someone guesses the victim's password in their own browser.
        var attacker = await fixture.NewPageAsync();
        await SignInAsync(attacker, victim, "not the password");
        await attacker.GetByText("Invalid sign-in attempt").WaitForAsync();

        // The admin, in another browser context, filters the audit log by the victim.
        var console = await fixture.NewPageAsync();
        await SignInAsync(console, admin, Password);
        await console.GotoAsync("/admin/audit");
        await console.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await console.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var grid = console.Locator(".audit-grid");
        // The row reads as a sentence about the victim, named by address (no ids or event codes in the grid).
        var failedRow = grid.Locator("tbody tr").Filter(new() { HasText = $"tried to sign in to {victim}'s account" }).Filter(new() { HasText = "Failed" });
        var userField = console.GetByLabel("User (email or id)");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        // The unfiltered grid already lists every event: wait until it lists only the victim's, the failure among them.
        // Filled and applied again only if a click raced the circuit and was lost.
        while (!await ShowsOnlyAsync(grid, victim) || await failedRow.CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The audit grid was not filtered down to {victim}'s failed sign-in.");
            await userField.FillAsync(victim);
            await console.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
            await Task.Delay(500);
        }

        Assert.Equal(1, await failedRow.CountAsync());
        Assert.Contains("with a wrong password", await failedRow.InnerTextAsync());
        Assert.DoesNotContain(victimUser.Id, await grid.InnerTextAsync());
        Assert.DoesNotContain(AuditEventTypeSignIn, await grid.InnerTextAsync());
        // The codes are one click away, in the details drawer.
        await failedRow.ClickAsync();
        await ExpectVisibleAsync(console, console.Locator(".audit-event-details").GetByText(AuditEventTypeSignIn), "the event code in the details");
    }

    [Theory]
    [InlineData("/admin", "Admin console", "admin-dashboard.png")]
    [InlineData("/admin/audit", "Audit log", "admin-audit.png")]
    [InlineData("/admin/deliveries", "Deliveries", "admin-deliveries.png")]
    [InlineData("/admin/policies", "Policies", "admin-policies.png")]
    [InlineData("/admin/api-clients", "API clients", "admin-api-clients.png")]
    public async Task AdminConsolePage_AsAdmin_RendersItsHeading(string route, string heading, string screenshot)
    {
        var admin = $"admin-{Guid.NewGuid():N}@example.com";
        await fixture.Factory.CreateUserAsync(admin, Password, Roles.Admin);
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, admin, Password);

        var response = await page.GotoAsync(route);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.Equal(200, response!.Status);
        await page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true, Level = 1 }).WaitForAsync();
        await BrowserFixture.SaveScreenshotAsync(page, screenshot);
    }

    private static async Task<bool> ShowsOnlyAsync(ILocator grid, string email)
    {
        var rows = await grid.Locator("tbody tr").AllInnerTextsAsync();
        return rows.Count > 0 && rows.All(row => row.Contains(email, StringComparison.Ordinal));
    }

    private const string AuditEventTypeSignIn = Tessera.Domain.Audit.AuditEventTypes.SignIn;
}
