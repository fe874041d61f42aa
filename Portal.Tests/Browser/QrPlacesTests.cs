using Microsoft.Playwright;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Domain.Risk;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// A QR server behind the tests' "proxy", with MaxMind's test databases: each browser context names its own address
/// (X-Forwarded-For), so the laptop and the phone can be on different networks. Users are held to Warn, admins to Require.
/// </summary>
public class QrPlacesBrowserFixture : BrowserFixture
{
    protected override Uri StartServer(TesseraFactory factory) => factory
        .With("CrossDevice:MaxLiveSessionsPerIp", "100")
        .With("Network:KnownProxies:0", "127.0.0.0/8")
        .With("Risk:GeoIp:CityDatabase", RiskFeaturesTests.GeoIpFile("GeoIP2-City-Test.mmdb"))
        .With("Risk:GeoIp:AsnDatabase", RiskFeaturesTests.GeoIpFile("GeoLite2-ASN-Test.mmdb"))
        .With("Risk:GeoIp:AnonymousIpDatabase", RiskFeaturesTests.GeoIpFile("GeoIP2-Anonymous-IP-Test.mmdb"))
        .With("CrossDevice:Proximity", "Warn")
        .With("CrossDevice:AdminProximity", "Require")
        .StartKestrel();
}

/// <summary>
/// The relay (QRLJacking) as an attacker runs it: they open /signin/qr, send the victim the /qr/… link and the number;
/// the victim, signed in on their phone elsewhere, is shown where the screen really is, warned, or refused.
/// </summary>
public sealed class QrPlacesTests(QrPlacesBrowserFixture fixture) : IClassFixture<QrPlacesBrowserFixture>
{
    private const string Password = "correct-horse-battery";
    private const string AttackerInLinkoping = "89.160.20.112";
    private const string VictimInLondon = "81.2.69.142";

    [Fact]
    public async Task ARelayedCode_ShowsTheScreensRealPlace_AndWarnsAUser()
    {
        var email = QrBrowser.NewEmail("qr-warned");
        await fixture.Factory.CreateUserAsync(email, Password);
        var (attacker, phone) = await RelayAsync(email);

        await PageSteps.ExpectVisibleAsync(phone, phone.GetByTestId("qr-warning"), "the warning that the screen is elsewhere");
        var place = await phone.GetByTestId("qr-place").InnerTextAsync();
        var own = await phone.GetByTestId("qr-phone-place").InnerTextAsync();
        var warning = await phone.GetByTestId("qr-warning").InnerTextAsync();
        await BrowserFixture.SaveScreenshotAsync(phone, "qr-approve-warned.png");

        Assert.Equal("Approximately near Linköping, SE", place.Trim());
        Assert.Contains("near London, GB", own);
        Assert.Contains("different network", warning);
        Assert.Contains("Only approve if you are signing in right now, on a screen in front of you", await phone.InnerTextAsync("main"));
        Assert.True(await phone.GetByTestId("qr-approve").IsEnabledAsync());
    }

    [Fact]
    public async Task ARelayedCode_IsRefused_ForAnAdministrator_UnderRequire()
    {
        var email = QrBrowser.NewEmail("qr-admin");
        await fixture.Factory.CreateUserAsync(email, Password, Roles.Admin);
        var (attacker, phone) = await RelayAsync(email);

        await PageSteps.ExpectVisibleAsync(phone, phone.GetByTestId("qr-refused"), "the refusal");
        var number = await QrBrowser.NumberAsync(attacker);

        Assert.Contains("different network", await phone.GetByTestId("qr-refused").InnerTextAsync());
        Assert.False(await phone.GetByTestId("qr-approve").IsEnabledAsync());
        Assert.True(number is >= 10 and <= 99);
        Assert.Equal("/signin/qr", new Uri(attacker.Url).AbsolutePath);
        Assert.DoesNotContain(await attacker.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    /// <summary>The attacker's laptop in Linköping shows a code; the victim's phone in London opens its link.</summary>
    private async Task<(IPage Attacker, IPage Phone)> RelayAsync(string victim)
    {
        var phone = await fixture.NewPageAsync();
        await phone.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-Forwarded-For"] = VictimInLondon });
        await phone.SetViewportSizeAsync(390, 844);
        await QrBrowser.SignInAsync(phone, victim, Password);
        await PageSteps.WaitForPathAsync(phone, "/security");

        var attacker = await fixture.NewPageAsync();
        await attacker.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-Forwarded-For"] = AttackerInLinkoping });
        await QrBrowser.OpenLaptopAsync(attacker);
        var url = await QrBrowser.ScanAsync(attacker);

        await QrBrowser.OpenOnPhoneAsync(phone, url);
        return (attacker, phone);
    }
}
