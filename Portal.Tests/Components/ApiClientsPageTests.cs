using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Audit;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class ApiClientsPageTests : MudComponentTest
{
    private const string AdminId = "admin-id";
    private TestDatabase database = null!;
    private ApiClients clients = null!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        clients = new ApiClients(database.Factory, database.Time, database.AuditLog);
        Services.AddSingleton(clients);
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, AdminId));
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Create_ShowsTheKeyOnceInADialog_AndListsTheClient()
    {
        var (provider, cut) = RenderPage();

        cut.Find(".api-client-name input").Change("Shop checkout");
        await cut.Find("button.api-client-create").ClickAsync(new());

        provider.WaitForAssertion(() => Assert.NotNull(provider.Find(".api-key-value input")));
        var key = provider.Find(".api-key-value input").GetAttribute("value")!;
        Assert.Contains("shown only once", provider.Markup);
        Assert.NotNull(provider.Find("button.api-key-copy"));
        Assert.Equal("Shop checkout", (await clients.AuthenticateAsync(key))?.Name);
        cut.WaitForAssertion(() => Assert.Contains("Shop checkout", cut.Find(".api-client-row").TextContent));
        Assert.DoesNotContain(key, cut.Markup);

        await provider.Find("button.api-key-done").ClickAsync(new());
        provider.WaitForAssertion(() => Assert.DoesNotContain(key, provider.Markup));
    }

    [Fact]
    public async Task Create_WithoutAName_ShowsWhyAndCreatesNothing()
    {
        var (_, cut) = RenderPage();

        await cut.Find("button.api-client-create").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("Give the client a name", cut.Markup));
        Assert.Empty(await clients.ListAsync());
    }

    [Fact]
    public async Task Revoke_Confirmed_RevokesTheKey_AndAuditsTheAdmin()
    {
        var created = await clients.CreateAsync("Billing", AdminId);
        var (provider, cut) = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button.api-client-revoke")));

        // Not awaited: the handler waits for the confirmation that the next line gives.
        var revoking = cut.Find("button.api-client-revoke").ClickAsync(new());
        provider.WaitForAssertion(() => Assert.Contains("Revoke this key?", provider.Markup));
        await provider.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke").ClickAsync(new());
        await revoking;

        cut.WaitForAssertion(() => Assert.Contains("revoked", cut.Find(".api-client-row").TextContent));
        Assert.Null(await clients.AuthenticateAsync(created.Key));
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.ApiClientRevoked && e.ActorId == AdminId && e.SubjectId == created.Id));
    }

    [Fact]
    public async Task Revoke_Canceled_KeepsTheKey()
    {
        var created = await clients.CreateAsync("Billing", AdminId);
        var (provider, cut) = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button.api-client-revoke")));

        // Not awaited: the handler waits for the confirmation that the next line gives.
        var revoking = cut.Find("button.api-client-revoke").ClickAsync(new());
        provider.WaitForAssertion(() => Assert.Contains("Revoke this key?", provider.Markup));
        await provider.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await revoking;

        cut.WaitForAssertion(() => Assert.Contains("active", cut.Find(".api-client-row").TextContent));
        Assert.NotNull(await clients.AuthenticateAsync(created.Key));
    }

    private (IRenderedComponent<MudDialogProvider> Provider, IRenderedComponent<ApiClientsPage> Page) RenderPage()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var provider = Render<MudDialogProvider>();
        return (provider, Render<ApiClientsPage>());
    }
}
