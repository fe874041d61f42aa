using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class AuditLogPageTests : MudComponentTest
{
    private TestDatabase database = null!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        Services.AddSingleton(database.AuditLog);
        Services.AddSingleton(database.Subjects);
        Services.AddSingleton(new AuditSearch(database.Factory, database.Pseudonymizer, database.Subjects));
        Services.AddSingleton<TimeProvider>(database.Time);
        var audit = new AuditServices(database);
        Services.AddSingleton(audit.Checkpoints);
        Services.AddSingleton(audit.Verifier);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new AuditOptions()));
        // The page resolves an email to a user id through the real Identity stores over the test database.
        Services.AddScoped(_ => database.Factory.CreateDbContext());
        Services.AddIdentityCore<ApplicationUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<PortalDbContext>();
        Services.AddScoped<UserDirectory>();
        Services.AddSingleton(database.Notices);
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Render_Events_ShowsOneRowPerEventNewestFirst()
    {
        await RecordAsync("alice-id", "first");
        await RecordAsync("bob-id", "second");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["bob-id", "alice-id"], Subjects(cut)));
    }

    [Fact]
    public async Task ApplyFilter_SubjectByEmail_ShowsOnlyThatUsersEvents()
    {
        var alice = await CreateUserAsync("alice@example.com");
        await RecordAsync(alice, "alice event");
        await RecordAsync("bob-id", "bob event");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Subjects(cut).Count));

        cut.Find(".filter-subject input").Change("alice@example.com");
        cut.Find("button.filter-apply").Click();

        cut.WaitForAssertion(() => Assert.Equal(["alice@example.com"], Subjects(cut)));
    }

    [Fact]
    public async Task Render_UserQueryParameter_ShowsOnlyThatUsersEvents()
    {
        var alice = await CreateUserAsync("alice@example.com");
        await RecordAsync(alice, "alice event");
        await RecordAsync("bob-id", "bob event");
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"/admin/audit?user={alice}");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["alice@example.com"], Subjects(cut)));
        Assert.Equal(alice, cut.Find(".filter-subject input").GetAttribute("value"));
    }

    [Fact]
    public async Task RowClick_Event_OpensTheDrawerWithItsHashes()
    {
        var recorded = await RecordAsync("alice-id", "the event");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Subjects(cut)));

        cut.Find(".audit-grid tbody tr").Click();

        cut.WaitForAssertion(() => Assert.Contains(recorded.Hash, cut.Find(".audit-event-details").TextContent));
        Assert.Contains("the event", cut.Find(".audit-event-details").TextContent);
        Assert.Contains(AuditEventTypes.SignIn, cut.Find(".audit-event-details").TextContent);
    }

    [Fact]
    public async Task Render_WithACheckpoint_ShowsTheLatestCheckpoint()
    {
        await RecordAsync("alice-id", "the event");
        var checkpoint = await new AuditServices(database).Checkpoints.WriteAsync();

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Contains(
            $"checkpoint: {checkpoint!.Id} at event {checkpoint.Sequence}", cut.Find(".audit-checkpoint-info").TextContent));
    }

    [Fact]
    public async Task VerifyChain_TailDeletedAfterACheckpoint_SaysTheTailWasTruncated()
    {
        await RecordAsync("alice-id", "one");
        await RecordAsync("alice-id", "two");
        await new AuditServices(database).Checkpoints.WriteAsync();
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence >= 2");
        var cut = RenderPage();

        cut.Find("button.audit-verify").Click();

        cut.WaitForAssertion(() =>
        {
            var status = cut.Find(".audit-chain-status").TextContent;
            Assert.Contains("Tail truncated", status);
            Assert.Contains("events from 2 were deleted", status);
        });
    }

    private IRenderedComponent<AuditLogPage> RenderPage()
    {
        Render<MudPopoverProvider>();
        return Render<AuditLogPage>();
    }

    /// <summary>The "About" column: the subject's email, or its id when no account has it.</summary>
    private static List<string> Subjects(IRenderedComponent<AuditLogPage> cut) =>
        cut.FindAll(".audit-grid tbody tr")
            .Select(r => r.QuerySelectorAll("td"))
            .Where(cells => cells.Length >= 6)
            .Select(cells => cells[4].TextContent.Trim())
            .ToList();

    [Fact]
    public async Task Render_Events_ReadAsSentencesAboutPeople_WithoutIdsOrCodes()
    {
        var alice = await CreateUserAsync("alice@example.com");
        await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.PasswordChanged, AuditOutcome.Success, alice, alice, Detail: "other sessions ended=2"));

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Single(Subjects(cut)));
        var row = cut.Find(".audit-grid tbody tr").TextContent;
        Assert.Contains("alice@example.com changed their password", row);
        Assert.DoesNotContain(alice, row);
        Assert.DoesNotContain(AuditEventTypes.PasswordChanged, row);
        Assert.DoesNotContain("ended=2", row);
    }

    [Fact]
    public void ApplyFilter_ToBeforeFrom_SaysSo()
    {
        var cut = RenderPage();

        cut.Find(".filter-from input").Change("2026-03-02T09:00");
        cut.Find(".filter-to input").Change("2026-03-01T09:00");
        cut.Find("button.filter-apply").Click();

        cut.WaitForAssertion(() => Assert.Contains("To must be after From.", cut.Find("[role=alert]").TextContent));
    }

    private Task<AuditEvent> RecordAsync(string subjectId, string detail) =>
        database.RecordAuditAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, subjectId, subjectId, Detail: detail));

    private async Task<string> CreateUserAsync(string email)
    {
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        return user.Id;
    }
}
