using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OtpNet;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Portal.Components.Security;
using Tessera.Portal.Delivery;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class EnrollAuthenticatorTests : MudComponentTest
{
    private FactorsFixture factors = null!;
    private string userId = "";

    public override async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync("ada@example.com");
        var tessera = Options.Create(new TesseraOptions());
        var outbox = new EmailOutbox(new MessageQueue(factors.Database.Factory, factors.Database.Time), new RecordingTrigger());
        Services.AddSingleton(factors.Authenticators);
        Services.AddSingleton(factors.CreatePasskeys());
        Services.AddSingleton(factors.RecoveryCodes);
        Services.AddSingleton(factors.Lifecycle);
        Services.AddSingleton<IOptions<TesseraOptions>>(tessera);
        Services.AddSingleton(Options.Create(new FactorsOptions()));
        var auth = AddAuthorization();
        auth.SetAuthorized("ada@example.com");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    protected override Task DisposeTestAsync() => factors.DisposeAsync().AsTask();

    [Fact]
    public async Task Confirm_WithTheAppsCode_SavesItShowsRecoveryCodesAndEmailsTheUser()
    {
        var cut = Render<EnrollAuthenticator>();
        await cut.Find("button:contains('Add authenticator app')").ClickAsync(new());
        var secret = Base32Encoding.ToBytes(cut.Find("[data-testid=manual-key]").TextContent.Replace(" ", ""));

        cut.FindAll("input")[0].Change("Phone");
        cut.FindAll("input")[1].Change(OneTimeCodes.ComputeTotp(secret, factors.Database.Time.GetUtcNow()));
        await cut.Find("button:contains('Confirm and add')").ClickAsync(new());

        var saved = Assert.Single(await factors.Authenticators.ListAsync(userId));
        Assert.Equal("Phone", saved.Name);
        cut.WaitForAssertion(() => Assert.Equal(10, cut.FindAll("[data-testid=recovery-codes] li").Count));
        Assert.Equal(10, await factors.RecoveryCodes.RemainingAsync(userId));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var notice = await db.OutboundMessages.SingleAsync();
        Assert.Equal("ada@example.com", notice.Recipient);
        Assert.Contains("was added", notice.Subject);
        Assert.True((await db.Users.SingleAsync(u => u.Id == userId)).TwoFactorEnabled);
    }

    [Fact]
    public async Task AddingASecondFactor_AsksToConfirmItIsThemFirst_AndShowsNoQrCodeBeforeThat()
    {
        await factors.EnrollAsync(userId);
        Services.AddSingleton(services => new Tessera.Domain.SignIn.StepUp(services.GetRequiredService<IServiceScopeFactory>(), factors.Attempts,
            factors.Check, factors.Lifecycle, services.GetRequiredService<Passkeys>(), factors.Database.StepUpProofs));
        var cut = Render<EnrollAuthenticator>();

        await cut.Find("button:contains('Add authenticator app')").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("Current password", cut.Markup));
        Assert.Empty(cut.FindAll("[data-testid=manual-key]"));
        Assert.Contains("Code from another authenticator app", cut.Markup);
    }

    [Fact]
    public async Task Confirm_WithAWrongCode_SaysSoAndSavesNothing()
    {
        var cut = Render<EnrollAuthenticator>();
        await cut.Find("button:contains('Add authenticator app')").ClickAsync(new());

        cut.FindAll("input")[1].Change("000000");
        await cut.Find("button:contains('Confirm and add')").ClickAsync(new());

        Assert.Contains("That code does not match", cut.Markup);
        Assert.Empty(await factors.Authenticators.ListAsync(userId));
    }

    [Fact]
    public async Task Start_ShowsAQrCodeImageAndTheKeyInGroupsOfFour()
    {
        var cut = Render<EnrollAuthenticator>();

        await cut.Find("button:contains('Add authenticator app')").ClickAsync(new());

        Assert.StartsWith("data:image/png;base64,", cut.Find("[data-testid=qr-code]").GetAttribute("src"));
        Assert.Matches("^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", cut.Find("[data-testid=manual-key]").TextContent);
    }

    /// <summary>Records delivery signals: the component test has no Hangfire server.</summary>
    private sealed class RecordingTrigger : Tessera.Domain.Delivery.IDeliveryTrigger
    {
        public List<Guid> Queued { get; } = [];

        void Tessera.Domain.Delivery.IDeliveryTrigger.Queued(Guid messageId) => Queued.Add(messageId);
    }
}
