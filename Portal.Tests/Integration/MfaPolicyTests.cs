using System.Net;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>Policies:Mfa over HTTP: the banner inside the grace period, enrolment first after it.</summary>
public sealed class MfaPolicyTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task InsideTheGracePeriod_AnAdminWithoutASecondFactor_SeesTheDeadlineOnEveryPage()
    {
        using var factory = new TesseraFactory();
        await factory.CreateUserAsync("grace-admin@example.com", Password, Roles.Admin);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "grace-admin@example.com", Password);

        var admin = await client.GetAsync("/admin");
        var security = await client.GetStringAsync("/security");

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Your role requires a second factor", await admin.Content.ReadAsStringAsync());
        Assert.Contains("Your role requires a second factor", security);
        Assert.Contains("data-local-time", security);
    }

    [Fact]
    public async Task WithGraceDaysZero_ThePasswordStepLeadsToEnrolment_AndEveryPageRedirectsThere_UntilAFactorIsAdded()
    {
        using var factory = new TesseraFactory().With("Policies:Mfa:GraceDays", "0");
        var admin = await factory.CreateUserAsync("forced-admin@example.com", Password, Roles.Admin);
        using var client = factory.CreateBrowserlessClient();

        var signedIn = await SignIn.PostLoginAsync(client, admin.Email!, Password);
        var console = await client.GetAsync("/admin");
        var home = await client.GetAsync("/");
        var enrolment = await client.GetAsync("/security/authenticators");
        await TotpEnrollment.EnrollAsync(factory, admin.Id, admin.Email!);
        var afterwards = await client.GetAsync("/admin");

        Assert.Equal("/security/passkeys", signedIn.Target());
        Assert.Equal("/security/passkeys", console.Target());
        Assert.Equal("/security/passkeys", home.Target());
        Assert.Equal(HttpStatusCode.OK, enrolment.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task AUserOutsideTheRequiredRoles_IsNeverSentToEnrolment()
    {
        using var factory = new TesseraFactory().With("Policies:Mfa:GraceDays", "0");
        await factory.CreateUserAsync("plain@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var signedIn = await SignIn.PostLoginAsync(client, "plain@example.com", Password);
        var security = await client.GetStringAsync("/security");

        Assert.Equal("/security", signedIn.Target());
        Assert.DoesNotContain("Your role requires a second factor", security);
    }
}
