using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Policies;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Components;

public sealed class PoliciesPageTests : MudComponentTest
{
    private TestDatabase database = null!;
    private PolicyStore store = null!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        store = new PolicyStore(database.Factory, database.Time, database.AuditLog, Options.Create(new PoliciesOptions()));
        Services.AddSingleton(store);
        Services.AddSingleton(Options.Create(new PhoneOptions()));
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-id"));
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Save_CodeLengthOutOfBounds_ShowsTheMessageAndSavesNothing()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".field-code-length input")));

        cut.Find(".field-code-length input").Change("4");
        cut.Find("button.save-policies").Click();

        cut.WaitForAssertion(() => Assert.Contains("Code length must be between 6 and 10 digits.", cut.Find(".field-code-length").TextContent));
        Assert.NotNull(cut.Find(".form-errors"));
        Assert.Equal(0, (await store.GetAsync()).Version);
    }

    [Fact]
    public async Task Save_ValidChange_StoresItAndSaysWhoChangedIt()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".field-code-length input")));
        Assert.Contains("no admin has changed them yet", cut.Find(".last-changed").TextContent);

        cut.Find(".field-code-length input").Change("8");
        cut.Find(".field-regions input").Change("gb, ie");
        cut.Find("button.save-policies").Click();

        cut.WaitForAssertion(() => Assert.Contains("Last changed by admin@example.com", cut.Find(".last-changed").TextContent));
        var saved = await store.CurrentAsync();
        Assert.Equal(8, saved.Otp.CodeLength);
        Assert.Equal(["GB", "IE"], saved.Sms.AllowedRegions);
        Assert.Contains("Policies saved.", snackbars!.Markup);
        var audit = (await database.AuditLog.RecentAsync(5)).First(e => e.Type == AuditEventTypes.PoliciesChanged);
        Assert.Equal("admin-id", audit.ActorId);
    }

    [Fact]
    public async Task Reset_Confirmed_ReturnsToTheDefaults()
    {
        await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 9 } }, 0, new PolicyEditor("admin-id", "admin@example.com"));
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("9", cut.Find(".field-code-length input").GetAttribute("value")));

        cut.Find("button.reset-policies").Click();
        Assert.Equal(9, (await store.CurrentAsync()).Otp.CodeLength);
        cut.Find("button.confirm-yes").Click();

        cut.WaitForAssertion(() => Assert.Equal("6", cut.Find(".field-code-length input").GetAttribute("value")));
        Assert.Equal(6, (await store.CurrentAsync()).Otp.CodeLength);
        Assert.True(cut.Find("button.reset-policies").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Reset_Cancelled_KeepsTheEdits()
    {
        await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 9 } }, 0, new PolicyEditor("admin-id", null));
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button.reset-policies")));

        cut.Find("button.reset-policies").Click();
        cut.Find("button.confirm-cancel").Click();

        Assert.Empty(cut.FindAll(".confirm-panel"));
        Assert.Equal("9", cut.Find(".field-code-length input").GetAttribute("value"));
        Assert.Equal(9, (await store.CurrentAsync()).Otp.CodeLength);
    }

    private IRenderedComponent<MudSnackbarProvider>? snackbars;

    private IRenderedComponent<PoliciesPage> RenderPage()
    {
        Render<MudPopoverProvider>();
        snackbars = Render<MudSnackbarProvider>();
        return Render<PoliciesPage>();
    }
}
