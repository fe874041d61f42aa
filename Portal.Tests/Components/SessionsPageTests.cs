using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Portal.Components.Security;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class SessionsPageTests : MudComponentTest
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string Safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private const string UserId = "ada-id";
    private TestDatabase database = null!;
    private UserSessions sessions = null!;
    private string current = "";
    private string phone = "";

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        sessions = new UserSessions(database.Factory, database.Time, database.Pseudonymizer);
        current = await sessions.StartAsync(UserId, Firefox, "198.51.100.7", "password");
        database.Time.Advance(TimeSpan.FromMinutes(5));
        phone = await sessions.StartAsync(UserId, Safari, "2001:db8:1234:5::9", "QR approval");
        await sessions.StartAsync("someone-else", Firefox, null, "password");
        Services.AddSingleton(sessions);
        Services.AddSingleton(database.Notices);
        Services.AddSingleton(database.AuditLog);
        Services.AddSingleton<TimeProvider>(database.Time);
        Services.AddScoped(_ => database.Factory.CreateDbContext());
        Services.AddIdentityCore<Tessera.Domain.Accounts.ApplicationUser>().AddEntityFrameworkStores<Tessera.Domain.Persistence.PortalDbContext>();
        Services.AddScoped<Tessera.Domain.Accounts.AccountSettings>();
        Services.AddSingleton(new Tessera.Domain.Accounts.FailedAttempts(database.Factory, database.Time,
            Microsoft.Extensions.Options.Options.Create(new Microsoft.AspNetCore.Identity.IdentityOptions()), new Tessera.Domain.Accounts.FailureLimits(5, TimeSpan.FromMinutes(15), PerDay: 100)));
        // "Your devices" below the sessions: no request while rendering here, so no "This device".
        AddBunitPersistentComponentState();
        Services.AddSingleton<Microsoft.AspNetCore.Http.IHttpContextAccessor, Microsoft.AspNetCore.Http.HttpContextAccessor>();
        Services.AddSingleton(new Tessera.Domain.Risk.KnownDevices(database.Factory, database.Secrets, database.AuditLog,
            Microsoft.Extensions.Options.Options.Create(new Tessera.Domain.Risk.RiskOptions()), database.Time));
        var auth = AddAuthorization();
        auth.SetAuthorized("ada@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId), new Claim(UserSessions.ClaimType, current));
    }

    protected override async Task DisposeTestAsync()
    {
        await database.DisposeAsync();
    }

    [Fact]
    public void Render_ListsOnlyThisUsersSessions_MarkingThisDevice()
    {
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".session-row").Count));
        var rows = cut.FindAll(".session-row");
        Assert.Contains("Safari 17 on iOS", rows[0].TextContent);
        Assert.Contains("2001:db8:1234::/48", rows[0].TextContent);
        Assert.DoesNotContain("This device", rows[0].TextContent);
        Assert.Contains("Firefox 128 on Linux", rows[1].TextContent);
        Assert.Contains("This device", rows[1].TextContent);
        Assert.DoesNotContain("198.51.100.7", cut.Markup);
    }

    [Fact]
    public void Render_OffersSignOutOnlyForOtherSessions_WithANamedButton()
    {
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".session-sign-out")));
        var label = cut.Find(".session-sign-out").GetAttribute("aria-label");
        Assert.StartsWith("Sign out Safari 17 on iOS signed in", label);
    }

    [Fact]
    public async Task SignOut_Confirmed_EndsThatSession_AndIsAudited()
    {
        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => cut.Find(".session-sign-out"));

        cut.Find(".session-sign-out").Click();
        Assert.True(await sessions.ValidateAsync(phone, UserId));
        cut.Find(".confirm-yes").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".session-row")));
        Assert.False(await sessions.ValidateAsync(phone, UserId));
        Assert.True(await sessions.ValidateAsync(current, UserId));
        await using var db = await database.Factory.CreateDbContextAsync();
        var actor = await database.Subjects.ForSearchingAsync(UserId);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.SessionEnded && e.ActorId == actor && e.Outcome == AuditOutcome.Success));
    }

    [Fact]
    public async Task SignOutEverywhereElse_Cancelled_ChangesNothing()
    {
        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".session-row").Count));

        cut.Find(".sign-out-others").Click();
        cut.Find(".confirm-cancel").Click();

        Assert.Empty(cut.FindAll(".confirm-panel"));
        Assert.Equal(2, (await sessions.ListActiveAsync(UserId)).Count);
    }

    [Fact]
    public async Task SignOutEverywhereElse_Confirmed_KeepsOnlyThisDevice_AndIsAudited()
    {
        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".session-row").Count));

        cut.Find(".sign-out-others").Click();
        cut.Find(".confirm-yes").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".session-row")));
        Assert.Contains("This device", cut.Find(".session-row").TextContent);
        Assert.Equal(current, Assert.Single(await sessions.ListActiveAsync(UserId)).Id);
        Assert.Single(await sessions.ListActiveAsync("someone-else"));
        await using var db = await database.Factory.CreateDbContextAsync();
        var audited = await db.AuditEvents.SingleAsync(e => e.Type == AuditEventTypes.OtherSessionsEnded);
        Assert.Equal("sessions=1; from the sessions page", audited.Detail);
        Assert.True(cut.Find(".sign-out-others").HasAttribute("disabled"));
    }
}
