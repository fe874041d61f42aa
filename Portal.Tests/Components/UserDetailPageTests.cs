using Microsoft.EntityFrameworkCore;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Tessera.Domain.Accounts;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Domain.Persistence;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Delivery;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class UserDetailPageTests : MudComponentTest
{
    private const string AdminId = "admin-id";
    private FactorsFixture factors = null!;
    private string userId = "";
    private PendingAuthenticator authenticator = null!;
    private IReadOnlyList<string> recoveryCodes = [];
    private UserSessions sessions = null!;

    public override async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync("ada@example.com");
        authenticator = await factors.EnrollAsync(userId);
        recoveryCodes = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.RegenerateRecoveryCodes)))!;
        var database = factors.Database;

        Services.AddSingleton(database.AuditLog);
        Services.AddSingleton(new Tessera.Domain.Activity.ActivityFeed(database.Factory, database.Subjects));
        Services.AddSingleton<TimeProvider>(database.Time);
        Services.AddSingleton(new Tessera.Domain.Audit.AuditSearch(database.Factory, database.Pseudonymizer, database.Subjects));
        Services.AddSingleton(new Tessera.Domain.Risk.KnownDevices(database.Factory, database.Secrets, database.AuditLog,
            Microsoft.Extensions.Options.Options.Create(new Tessera.Domain.Risk.RiskOptions()), database.Time));
        Services.AddSingleton(factors.Authenticators);
        Services.AddSingleton(factors.RecoveryCodes);
        Services.AddSingleton(factors.CreatePasskeys());
        Services.AddSingleton(factors.Lifecycle);
        Services.AddSingleton(PhonesFixture.CreatePhones(database).Phones);
        Services.AddScoped(_ => database.Factory.CreateDbContext());
        Services.AddIdentityCore<ApplicationUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<PortalDbContext>();
        Services.AddScoped<UserDirectory>();
        Services.AddSingleton(database.Notices);
        Services.AddScoped<AccountAdministration>();
        Services.AddSingleton(factors.Attempts);
        sessions = new UserSessions(database.Factory, database.Time, database.Pseudonymizer);
        Services.AddSingleton(sessions);
        Services.AddSingleton(new Tessera.Domain.Privacy.AccountErasure(database.Factory, sessions, database.Notices, database.AuditLog, database.Subjects));
        var outbox = new EmailOutbox(new MessageQueue(database.Factory, database.Time), NoDeliveryTrigger.Instance);
        Services.AddSingleton(services => new Tessera.Domain.SignIn.StepUp(services.GetRequiredService<IServiceScopeFactory>(), factors.Attempts,
            factors.Check, factors.Lifecycle, services.GetRequiredService<Passkeys>(), database.StepUpProofs));
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, AdminId));
        // The acting admin, with a password to confirm the actions that need it (written directly: the bUnit
        // container must not be used before a test has registered all it needs).
        var admin = new ApplicationUser { Id = AdminId, UserName = "acting-admin@example.com", Email = "acting-admin@example.com",
            NormalizedUserName = "ACTING-ADMIN@EXAMPLE.COM", NormalizedEmail = "ACTING-ADMIN@EXAMPLE.COM", SecurityStamp = "stamp" };
        admin.PasswordHash = new PasswordHasher<ApplicationUser>().HashPassword(admin, AdminPassword);
        await using var db = await database.Factory.CreateDbContextAsync();
        db.Users.Add(admin);
        await db.SaveChangesAsync();
    }

    private const string AdminPassword = "the admin's own password";

    protected override Task DisposeTestAsync() => factors.DisposeAsync().AsTask();

    [Fact]
    public void Render_UserWithFactors_ListsThemWithoutSecrets()
    {
        var cut = RenderPage(userId);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".factor-row")));
        Assert.Contains("Phone", cut.Find(".factor-row").TextContent);
        Assert.Contains("Recovery codes left: 10", cut.Find(".recovery-codes-left").TextContent);
        Assert.DoesNotContain(authenticator.ManualKey, cut.Markup);
        Assert.DoesNotContain(authenticator.ManualKey.Replace(" ", ""), cut.Markup);
        Assert.All(recoveryCodes, code => Assert.DoesNotContain(code, cut.Markup));
    }

    [Fact]
    public async Task Render_UserWithAVerifiedPhone_ListsItMaskedOnly_AndAnUnverifiedOneNotAtAll()
    {
        var phones = PhonesFixture.CreatePhones(factors.Database).Phones;
        var verified = (await phones.AddAsync(userId, "+44 7700 900123", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        await phones.AddAsync(userId, "+44 7700 900456", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));
        await using (var db = await factors.Database.Factory.CreateDbContextAsync())
        {
            await db.UserPhones.Where(p => p.Id == verified.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.VerifiedAt, factors.Database.Time.GetUtcNow()));
        }

        var cut = RenderPage(userId);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".factor-row").Count));
        Assert.DoesNotContain(cut.FindAll(".factor-row"), row => row.TextContent.Contains("456"));
        var phoneRow = cut.FindAll(".factor-row").Single(row => row.TextContent.Contains("Phone (text message)"));
        Assert.Contains("+44 •••• ••• 123", phoneRow.TextContent);
        Assert.DoesNotContain("7700900123", cut.Markup);
        Assert.DoesNotContain("7700 900123", cut.Markup);
    }

    [Fact]
    public void Render_User_ShowsTheActionsAndTheAuditLink()
    {
        var cut = RenderPage(userId);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".action-lock")));
        Assert.NotNull(cut.Find(".action-reset"));
        Assert.NotNull(cut.Find(".action-revoke"));
        Assert.NotNull(cut.Find(".action-promote"));
        Assert.Equal($"/admin/audit?user={userId}", cut.Find(".user-audit-link").GetAttribute("href"));
    }

    [Fact]
    public void ResetFactors_Confirmed_RemovesThemAll()
    {
        var cut = RenderPage(userId);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".factor-row")));

        cut.Find("button.action-reset").Click();
        // The admin confirms it is them: a hijacked admin session alone cannot wipe someone's factors.
        cut.Find("input[type=password]").Change(AdminPassword);
        cut.Find("button:contains('Yes, reset factors')").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".factor-row")));
        Assert.Contains("Recovery codes left: 0", cut.Find(".recovery-codes-left").TextContent);
    }

    [Fact]
    public async Task Delete_WithTheTypedEmailAndTheAdminsPassword_DeletesTheUser_AndAWrongEmailDeletesNothing()
    {
        var cut = RenderPage(userId);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".action-delete")));

        cut.Find("button.action-delete").Click();
        cut.Find("input[type=email]").Input("someone.else@example.com");
        cut.Find("input[type=password]").Change(AdminPassword);
        cut.Find("button:contains('Yes, delete account')").Click();
        await using (var db = await factors.Database.Factory.CreateDbContextAsync())
        {
            Assert.True(await db.Users.AnyAsync(u => u.Id == userId));
        }

        cut.Find("button.action-delete").Click();
        cut.Find("input[type=email]").Input("ada@example.com");
        cut.Find("input[type=password]").Change(AdminPassword);
        cut.Find("button:contains('Yes, delete account')").Click();

        await using var after = await factors.Database.Factory.CreateDbContextAsync();
        cut.WaitForAssertion(() => Assert.False(after.Users.Any(u => u.Id == userId)));
        Assert.False(await after.TotpAuthenticators.AnyAsync(a => a.UserId == userId));
        Assert.EndsWith("/admin/users", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
    }

    [Fact]
    public void Lock_Cancelled_ChangesNothing()
    {
        var cut = RenderPage(userId);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".action-lock")));

        cut.Find("button.action-lock").Click();
        cut.Find("button:contains('Cancel')").Click();

        Assert.Empty(cut.FindAll("input[type=password]"));
        Assert.Equal("no", cut.Find(".user-lockout").TextContent.Trim());
    }

    [Fact]
    public async Task Render_OwnAccount_DisablesLockWithAMessage()
    {
        var self = await factors.AddUserAsync("admin@example.com");
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, self));

        var cut = RenderPage(self);

        cut.WaitForAssertion(() => Assert.True(cut.Find("button.action-lock").HasAttribute("disabled")));
        Assert.Contains("your own account", cut.Find(".self-notice").TextContent);
    }

    [Fact]
    public async Task Render_UserWithSessions_ListsThemReadOnly()
    {
        await sessions.StartAsync(userId, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "192.0.2.44", "password");

        var cut = RenderPage(userId);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".user-sessions .session-row")));
        var row = cut.Find(".user-sessions .session-row").TextContent;
        Assert.Contains("Firefox 128 on Linux", row);
        Assert.Contains("192.0.2.x", row);
        Assert.DoesNotContain("192.0.2.44", cut.Markup);
        Assert.Empty(cut.FindAll(".user-sessions .session-sign-out"));
    }

    [Fact]
    public async Task RevokeSessions_Confirmed_EmptiesTheSessionList()
    {
        await sessions.StartAsync(userId, null, null, "password");
        var cut = RenderPage(userId);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".user-sessions .session-row")));

        cut.Find(".action-revoke").Click();
        cut.Find(".confirm-yes").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".user-sessions .sessions-empty")));
        Assert.Empty(await sessions.ListActiveAsync(userId));
    }

    private IRenderedComponent<UserDetailPage> RenderPage(string id)
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        return Render<UserDetailPage>(p => p.Add(c => c.Id, id));
    }
}
