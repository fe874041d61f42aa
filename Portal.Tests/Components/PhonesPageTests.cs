using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;
using Tessera.Portal.Components.Security;
using Tessera.Portal.Delivery;
using Tessera.Portal.Hosting;
using Tessera.Domain.Factors;
using Tessera.Domain.SignIn;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Components;

public sealed class PhonesPageTests : MudComponentTest
{
    private PhonesFixture fixture = null!;
    private string userId = "";

    public override async Task InitializeAsync()
    {
        fixture = await PhonesFixture.CreateAsync();
        userId = await fixture.Factors.AddUserAsync("ada@example.com");
        var database = fixture.Database;
        var outbox = new EmailOutbox(new MessageQueue(database.Factory, database.Time), NoDeliveryTrigger.Instance);
        Services.AddSingleton(fixture.Phones);
        Services.AddSingleton(fixture.Factors.Lifecycle);
        Services.AddSingleton(fixture.Factors.Authenticators);
        Services.AddSingleton(fixture.Factors.RecoveryCodes);
        Services.AddSingleton(fixture.Factors.CreatePasskeys());
        Services.AddSingleton(services => new StepUp(services.GetRequiredService<IServiceScopeFactory>(), fixture.Factors.Attempts, fixture.Factors.Check, fixture.Factors.Lifecycle, services.GetRequiredService<Passkeys>(), database.StepUpProofs));
        Services.AddSingleton(database.Mfa());
        var auth = AddAuthorization();
        auth.SetAuthorized("ada@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    protected override Task DisposeTestAsync() => fixture.DisposeAsync().AsTask();

    [Fact]
    public async Task Render_UserWithPhones_ListsOnlyMaskedNumbers_AndWhichAreVerified()
    {
        await fixture.AddVerifiedAsync(userId, "+447700900123");
        fixture.Database.Time.Advance(TimeSpan.FromMinutes(1));
        await fixture.Phones.AddAsync(userId, "+447700900456", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        var cut = Render<PhonesPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=phone-number]").Count));
        var rows = cut.FindAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains("+44 •••• ••• 123", rows[0]);
        Assert.Contains("Verified", rows[0]);
        Assert.Contains("+44 •••• ••• 456", rows[1]);
        Assert.Contains("Not verified", rows[1]);
        Assert.DoesNotContain("7700900", cut.Markup);
    }

    [Fact]
    public async Task Add_NotAPhoneNumber_ShowsTheParseErrorUnderTheField()
    {
        var cut = Render<PhonesPage>();
        cut.WaitForAssertion(() => cut.Find("input[type=tel]"));

        cut.Find("input[type=tel]").Change("call me maybe");
        await cut.Find("button:contains('Add phone')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("That is not a phone number", cut.Find(".mud-input-helper-text.mud-input-error").TextContent));
        Assert.Empty(await fixture.Phones.ListAsync(userId));
    }

    [Fact]
    public async Task Add_ValidNumber_WithoutOtherFactors_TextsACodeAndAsksForIt()
    {
        var cut = Render<PhonesPage>();
        cut.WaitForAssertion(() => cut.Find("input[type=tel]"));

        cut.Find("input[type=tel]").Change("07700 900123");
        await cut.Find("button:contains('Add phone')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("We texted a code to +44 •••• ••• 123", cut.Markup));
        Assert.NotNull(cut.Find("button:contains('Send a new code')"));
        Assert.Single(await fixture.Phones.ListAsync(userId));
        await using var db = await fixture.Database.Factory.CreateDbContextAsync();
        Assert.Equal(1, await db.OutboundMessages.CountAsync(m => m.Kind == Channel.Sms));
    }

    [Fact]
    public async Task Verify_FirstSecondFactor_ShowsNewRecoveryCodes()
    {
        var cut = Render<PhonesPage>();
        cut.WaitForAssertion(() => cut.Find("input[type=tel]"));
        cut.Find("input[type=tel]").Change("07700 900123");
        await cut.Find("button:contains('Add phone')").ClickAsync(new());
        // The form shows at once, "Sending a code…": the code exists once it says the text went.
        cut.WaitForAssertion(() => Assert.Contains("We texted a code to", cut.Markup));

        cut.Find("[aria-label='Verify your phone'] input").Change(await fixture.LatestCodeAsync("+447700900123"));
        await cut.Find("[aria-label='Verify your phone'] button:contains('Verify')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(10, cut.FindAll("[data-testid=recovery-codes] li").Count));
        Assert.Single(await fixture.Phones.ListVerifiedAsync(userId));
        Assert.Equal(10, await fixture.Factors.RecoveryCodes.RemainingAsync(userId));
    }

    [Fact]
    public async Task SendRefusedByARateLimit_ShowsTheReason_AndKeepsThePage()
    {
        var cut = Render<PhonesPage>();
        cut.WaitForAssertion(() => cut.Find("input[type=tel]"));
        fixture.Limiter.Refusal = SwitchableSendLimiter.PerUser;

        cut.Find("input[type=tel]").Change("07700 900123");
        await cut.Find("button:contains('Add phone')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("You asked for too many codes. Try again in 20 minutes.", cut.Find("[aria-label='Verify your phone'] .mud-alert").TextContent));
        Assert.NotNull(cut.Find("button:contains('Send a new code')"));
    }

    [Fact]
    public async Task Add_WhenTheUserHasAVerifiedPhone_AsksToConfirmItIsThemFirst()
    {
        await fixture.AddVerifiedAsync(userId, "+447700900123");
        var cut = Render<PhonesPage>();
        cut.WaitForAssertion(() => cut.Find("[data-testid=phone-number]"));

        cut.Find("input[type=tel]").Change("+447700900456");
        await cut.Find("button:contains('Add phone')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("Add this phone number?", cut.Markup));
        Assert.Single(await fixture.Phones.ListAsync(userId));
    }
}
