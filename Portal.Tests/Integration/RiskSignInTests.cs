using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Domain.Risk;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// The risk engine through the real sign-in pages, "from" MaxMind's test addresses (Network:KnownProxies lets the test
/// name the client address): usual sign-ins go through, an unusual one is stepped up with reasons in the audit log.
/// </summary>
public sealed class RiskSignInTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const string London = "81.2.69.142";
    private const string Linkoping = "89.160.20.112";
    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private const string AndroidChrome = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

    private TesseraFactory factory = Geolocated(new TesseraFactory());
    private Uri? root;

    private static TesseraFactory Geolocated(TesseraFactory factory) => factory
        .With("Network:KnownProxies:0", "127.0.0.0/8")
        .With("Risk:GeoIp:CityDatabase", RiskFeaturesTests.GeoIpFile("GeoIP2-City-Test.mmdb"))
        .With("Risk:GeoIp:AsnDatabase", RiskFeaturesTests.GeoIpFile("GeoLite2-ASN-Test.mmdb"))
        .With("Risk:GeoIp:AnonymousIpDatabase", RiskFeaturesTests.GeoIpFile("GeoIP2-Anonymous-IP-Test.mmdb"));

    /// <summary>A browser behind the test's "proxy": its own cookies (so its own device cookie), address and User-Agent.</summary>
    private HttpClient Browser(string address, string userAgent)
    {
        root ??= factory.StartKestrel();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = root };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    private async Task<Tessera.Domain.Accounts.ApplicationUser> UsualUserAsync(string email)
    {
        using var home = Browser(London, Firefox);
        var user = await factory.CreateUserAsync(email, Password);
        for (var i = 0; i < 4; i++)
        {
            var usual = await SignIn.PostLoginAsync(home, email, Password);
            Assert.Equal("/security", usual.Target());
        }
        return user;
    }

    [Fact]
    public async Task UsualSignIns_GoThrough_AndAnUnusualOne_WithoutAFactor_IsSentAnEmailCode_ThenTheNewDeviceEmail()
    {
        var user = await UsualUserAsync("habits@example.com");
        using var abroad = Browser(Linkoping, AndroidChrome);

        var unusual = await SignIn.PostLoginAsync(abroad, user.Email!, Password);

        Assert.StartsWith("/Account/LoginWith2fa", unusual.Target());
        Assert.Contains("unusual=true", unusual.Target(), StringComparison.OrdinalIgnoreCase);
        var secondStep = new Uri(root!, unusual.Headers.Location!);
        var page = WebUtility.HtmlDecode(await abroad.GetStringAsync(secondStep));
        Assert.Contains("Verify it's you", page);
        Assert.Contains("looks different from your usual ones", page);
        var decision = await RiskEventAsync(user.Id);
        Assert.StartsWith("step-up for password", decision.Detail);
        Assert.Contains("New country SE (never used by you;", decision.Detail);
        Assert.Equal(AuditOutcome.Failure, decision.Outcome);
        Assert.Empty(await NewSignInMailAsync(user.Email!));

        var codePage = await CodeForms.SendAsync(abroad, secondStep, "email");
        var done = await CodeForms.EnterAsync(abroad, codePage, await CodeForms.EmailedCodeAsync(factory, user.Email!));

        Assert.Equal("/security", done.Target());
        var alert = Assert.Single(await NewSignInMailAsync(user.Email!));
        Assert.Contains("New sign-in to your account: Chrome on Android, near Linköping, SE, at ", alert);
        Assert.Contains("This wasn't me", alert);
    }

    [Fact]
    public async Task InDryRun_TheUnusualSignIn_IsOnlyRecorded_AndTheNewDeviceEmailIsSent()
    {
        factory.Dispose();
        factory = Geolocated(new TesseraFactory()).With("Policies:Risk:Mode", "DryRun");
        var user = await UsualUserAsync("dry-run@example.com");
        using var abroad = Browser(Linkoping, AndroidChrome);

        var signedIn = await SignIn.PostLoginAsync(abroad, user.Email!, Password);

        Assert.Equal("/security", signedIn.Target());
        Assert.StartsWith("step-up (dry run: not enforced) for password", (await RiskEventAsync(user.Id)).Detail);
        Assert.Contains("near Linköping, SE", Assert.Single(await NewSignInMailAsync(user.Email!)));
    }

    [Fact]
    public async Task TheUsualBrowser_IsAllowed_WithReasonsThatSayWhy_AndNoEmail()
    {
        var user = await UsualUserAsync("steady@example.com");

        var events = await RiskEventsAsync(user.Id);

        Assert.Equal(4, events.Count);
        Assert.Contains("no baseline", events[0].Detail);
        Assert.StartsWith("allow for password", events[^1].Detail);
        Assert.Contains("Usual country GB", events[^1].Detail);
        Assert.Empty(await NewSignInMailAsync(user.Email!));
    }

    [Fact]
    public async Task UnderRequire_TheServerRefusesAnApprovalFromAnotherNetwork_AndAcceptsOneFromTheSameNetwork()
    {
        factory.Dispose();
        factory = Geolocated(new TesseraFactory()).With("CrossDevice:AdminProximity", "Require");
        var admin = await factory.CreateUserAsync("far-admin@example.com", Password, Tessera.Domain.Accounts.Roles.Admin);
        var qr = factory.Services.GetRequiredService<QrSignIn>();
        var phone = new QrDevice("216.160.83.56", AndroidChrome);

        var relayed = (await qr.CreateAsync(new QrDevice(Linkoping, Firefox))).Session!;
        var view = await qr.ScanAsync(relayed.Token, admin.Id, phone, approverIsAdmin: true);
        var refused = await qr.ApproveAsync(relayed.Token, admin.Id, relayed.Number, phone, approverIsAdmin: true);
        var nearby = (await qr.CreateAsync(new QrDevice("216.160.83.99", Firefox))).Session!;
        await qr.ScanAsync(nearby.Token, admin.Id, phone, approverIsAdmin: true);
        var approved = await qr.ApproveAsync(nearby.Token, admin.Id, nearby.Number, phone, approverIsAdmin: true);

        Assert.Equal((Proximity.Elsewhere, true), (view!.Places!.Proximity, view.Places.Blocked));
        Assert.Equal("near Linköping, SE", view.Places.Requester.Place);
        Assert.Equal(QrSignInStatus.Denied, refused);
        Assert.Equal(QrSignInStatus.Approved, approved);
    }

    private async Task<IReadOnlyList<string>> NewSignInMailAsync(string email) =>
        (await OutboxMail.BodiesToAsync(factory, email)).Where(b => b.Contains("New sign-in to your account", StringComparison.Ordinal)).ToList();

    private async Task<AuditEvent> RiskEventAsync(string userId) => (await RiskEventsAsync(userId))[^1];

    private async Task<List<AuditEvent>> RiskEventsAsync(string userId)
    {
        var subject = await factory.AuditNameAsync(userId);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return (await db.AuditEvents.AsNoTracking().Where(e => e.Type.StartsWith("risk.") && e.SubjectId == subject).ToListAsync())
            .OrderBy(e => e.Sequence).ToList();
    }

    public void Dispose() => factory.Dispose();
}
