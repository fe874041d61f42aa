using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Components;

public sealed class DeliveriesPageTests : MudComponentTest
{
    private const string AdminId = "admin-id";
    private readonly List<Guid> queued = [];
    private TestDatabase database = null!;
    private MessageQueue queue = null!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        queue = new MessageQueue(database.Factory, database.Time);
        Services.AddSingleton(queue);
        Services.AddSingleton<IDeliveryTrigger>(new RecordingTrigger(queued));
        Services.AddSingleton(database.AuditLog);
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, AdminId));
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Render_Messages_ShowsMaskedRecipientsAndNeverTheFullOne()
    {
        await StageAsync("alice@example.com");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Contains("a•••@example.com", cut.Find(".deliveries-grid tbody").TextContent));
        Assert.DoesNotContain("alice@example.com", cut.Markup);
    }

    [Fact]
    public async Task RowClick_FailedMessage_ShowsItsAttempts()
    {
        await StageAsync("alice@example.com");
        await FailAllAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Contains("Failed", cut.Find(".deliveries-grid tbody").TextContent));

        cut.Find(".deliveries-grid tbody tr").Click();

        cut.WaitForAssertion(() => Assert.Contains("Connection refused (attempt 1)", cut.Find(".attempts-table").TextContent));
    }

    [Fact]
    public async Task RetryNow_Confirmed_QueuesTheMessageAgainAndAuditsTheAdmin()
    {
        var id = await StageAsync("alice@example.com");
        await FailAllAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Contains("Failed", cut.Find(".deliveries-grid tbody").TextContent));
        cut.Find(".deliveries-grid tbody tr").Click();
        cut.WaitForAssertion(() => cut.Find("button.action-retry"));

        cut.Find("button.action-retry").Click();
        Assert.Equal(MessageStatus.Failed, await StatusAsync(id));
        cut.Find("button.confirm-retry").Click();

        cut.WaitForAssertion(() => Assert.Equal([id], queued));
        Assert.Equal(MessageStatus.Pending, await StatusAsync(id));
        var audit = Assert.Single(await database.AuditLog.RecentAsync(10), e => e.Type == AuditEventTypes.DeliveryRetried);
        Assert.Equal(AdminId, audit.ActorId);
        Assert.Contains(id.ToString(), audit.Detail);
    }

    [Fact]
    public async Task Render_SentMessage_OffersNoRetry()
    {
        await StageAsync("alice@example.com");
        await new DeliveryEngine(database.Factory, [new ScriptedChannel()], new FixedPolicies(),
            Options.Create(new DeliveryOptions()), database.Time).DrainAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Contains("Sent", cut.Find(".deliveries-grid tbody").TextContent));

        cut.Find(".deliveries-grid tbody tr").Click();

        cut.WaitForAssertion(() => cut.Find(".attempts-table"));
        Assert.Empty(cut.FindAll("button.action-retry"));
    }

    private IRenderedComponent<DeliveriesPage> RenderPage()
    {
        Render<MudPopoverProvider>();
        return Render<DeliveriesPage>();
    }

    private async Task<Guid> StageAsync(string recipient)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var id = queue.Stage(db, new MessageDraft(Channel.Email, recipient, "Code", "<p>123456</p>", "123456", Purpose: "sign-in"));
        await db.SaveChangesAsync();
        return id;
    }

    private Task FailAllAsync() => new DeliveryEngine(database.Factory, [new ScriptedChannel { FailuresBeforeSuccess = int.MaxValue }],
        new FixedPolicies(), Options.Create(new DeliveryOptions()), database.Time).DrainAsync();

    private async Task<MessageStatus> StatusAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.Where(m => m.Id == id).Select(m => m.Status).SingleAsync();
    }

    private sealed class RecordingTrigger(List<Guid> queued) : IDeliveryTrigger
    {
        public void Queued(Guid messageId) => queued.Add(messageId);
    }
}
