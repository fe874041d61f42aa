using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain.Audit;
using Tessera.Portal.Components.Security;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class SecurityCenterTests : MudComponentTest
{
    private readonly Bunit.TestDoubles.BunitAuthorizationContext auth;
    private TestDatabase database = null!;

    public SecurityCenterTests()
    {
        auth = AddAuthorization();
    }

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        Services.AddSingleton(database.AuditLog);
        Services.AddSingleton<TimeProvider>(database.Time);
        Services.AddSingleton(new Tessera.Domain.Activity.ActivityFeed(database.Factory, database.Subjects));
        Services.AddSingleton(new Tessera.Domain.Accounts.AccountFacts(database.Factory));
        var lifecycle = database.Lifecycle();
        Services.AddSingleton(lifecycle);
        Services.AddSingleton(new Tessera.Domain.Factors.Authenticators(database.Factory, database.Time, database.AuditLog, new FixedPolicies(), lifecycle));
        Services.AddSingleton(database.RecoveryCodes);
        Services.AddSingleton(PhonesFixture.CreatePhones(database).Phones);
        var webAuthn = new Tessera.Domain.Factors.WebAuthnOptions { Origins = [CeremonyInput.DefaultOrigin] };
        Services.AddSingleton(new Tessera.Domain.Factors.Passkeys(database.Factory,
            new Fido2NetLib.Fido2(Tessera.Portal.Hosting.PasskeysExtensions.CreateConfiguration(webAuthn, webAuthn.Origins)),
            database.Time, database.AuditLog, Microsoft.Extensions.Options.Options.Create(webAuthn), new Tessera.Domain.Factors.AuthenticatorModels(), lifecycle, Tessera.Domain.Factors.FileMetadataService.None));
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public void Render_UserWithoutFactors_SaysNoFactorsYet()
    {
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Contains("No factors yet", cut.Find(".mud-alert").TextContent));
    }

    [Fact]
    public async Task Render_UserWithAnAppAndAVerifiedPhone_ListsBothKindsInOneTable()
    {
        var userId = await AddUserAsync("alice@example.com");
        var pending = Tessera.Domain.Factors.Authenticators.Offer("Tessera", "alice@example.com");
        await Services.GetRequiredService<Tessera.Domain.Factors.Authenticators>().ConfirmAsync(userId, "Work phone", pending,
            Tessera.Domain.Factors.OneTimeCodes.ComputeTotp(pending.Secret, database.Time.GetUtcNow()), null);
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            db.UserPhones.Add(new Tessera.Domain.Factors.Phones.UserPhone
            {
                UserId = userId, Number = "+447700900123"u8.ToArray(), NumberHash = "hash", Masked = "+44 •••• ••• 123", Region = "GB",
                CreatedAt = database.Time.GetUtcNow(), VerifiedAt = database.Time.GetUtcNow(),
            });
            await db.SaveChangesAsync();
        }
        SignIn("alice@example.com", userId);

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".factor-row").Count));
        var rows = cut.FindAll(".factor-row").Select(r => r.TextContent).ToList();
        Assert.Contains("Authenticator app", rows[0]);
        Assert.Contains("Work phone", rows[0]);
        Assert.Contains("Phone (text message)", rows[1]);
        Assert.Contains("+44 •••• ••• 123", rows[1]);
    }

    private async Task<string> AddUserAsync(string email)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var user = new Tessera.Domain.Accounts.ApplicationUser { UserName = email, Email = email, SecurityStamp = "stamp" };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    [Fact]
    public void Render_SignedIn_ShowsTheUsersName()
    {
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Equal("alice@example.com", cut.Find("strong").TextContent));
    }

    [Fact]
    public async Task Render_UserWithActivity_ShowsTheirEventsFromTheAuditLog()
    {
        await RecordAsync(AuditEventTypes.Registered, AuditOutcome.Success, "alice-id");
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, "alice-id");
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".t-activity-item").Count));
        var sentences = cut.FindAll(".t-activity-sentence").Select(p => p.TextContent.Trim());
        Assert.Equal(["A sign-in to your account was refused", "You created your account"], sentences);
        Assert.Contains("Firefox 127 on Linux", cut.Find(".t-activity-item").TextContent);
    }

    [Fact]
    public async Task Render_OtherUsersActivity_IsNotShown()
    {
        await RecordAsync(AuditEventTypes.Registered, AuditOutcome.Success, "alice-id");
        await RecordAsync(AuditEventTypes.LockedOut, AuditOutcome.Failure, "bob-id");
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".t-activity-item")));
        Assert.DoesNotContain("locked", cut.Find(".t-activity").TextContent);
    }

    [Fact]
    public void Render_UserWithoutActivity_SaysNoActivityRecorded()
    {
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Contains("No activity recorded yet.", cut.Markup));
        Assert.Empty(cut.FindAll(".t-activity"));
    }

    [Fact]
    public async Task Render_ManyEvents_ShowsTheFiveNewest_AndLinksToAllActivity()
    {
        string[] methods = ["password", "passkey, passwordless", "QR approval", "password and SMS code", "password and recovery code", "password and authenticator app", "password and email code"];
        foreach (var method in methods)
        {
            database.Time.Advance(TimeSpan.FromMinutes(1));
            await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, "alice-id", "alice-id", Detail: $"with {method}"));
        }
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll(".t-activity-item").Count));
        var sentences = cut.FindAll(".t-activity-sentence").Select(p => p.TextContent.Trim()).ToList();
        Assert.Equal("You signed in with a password and email code", sentences[0]);
        Assert.Equal("You signed in with a QR code approved on your phone", sentences[^1]);
        Assert.Equal("/security/activity", cut.Find("a.all-activity").GetAttribute("href"));
    }

    [Fact]
    public void Render_UserWithoutFactors_SaysTwoStepIsOff_AndRecommendsAPasskey()
    {
        SignIn("alice@example.com", "alice-id");

        var cut = Render<SecurityCenter>();

        cut.WaitForAssertion(() => Assert.Equal("2-step verification is off", cut.Find(".security-headline").TextContent));
        var next = cut.Find("a.next-step");
        Assert.Equal("Add a passkey (recommended)", next.TextContent.Trim());
        Assert.Equal("/security/passkeys", next.GetAttribute("href"));
        Assert.Equal(3, cut.FindAll(".t-checklist li.todo").Count);
    }

    private void SignIn(string email, string userId)
    {
        auth.SetAuthorized(email);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    private Task<AuditEvent> RecordAsync(string type, AuditOutcome outcome, string userId) =>
        database.RecordAuditAsync(new AuditEntry(type, outcome, ActorId: userId, SubjectId: userId,
            IpAddress: "198.51.100.4", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"));
}
