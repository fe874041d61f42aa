using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Persistence;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 4: the old cookie answered 200 ten minutes after a password reset; a demoted admin kept /admin, the audit
/// export and /admin/jobs for 31 minutes; a remembered browser skipped the second step after "sign out everywhere
/// else". The session rows and the current security stamp now decide at every request, on every node.
/// </summary>
public sealed class SessionsEndAtOnceTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();

    [Fact]
    public async Task PasswordResetByEmailLink_EndsTheOldCookie_AtItsNextRequest()
    {
        var user = await factory.CreateUserAsync("reset-victim@example.com", Password);
        using var attacker = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(attacker, user.Email!, Password);
        Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/security")).StatusCode);

        using var owner = factory.CreateBrowserlessClient();
        await ResetPasswordByEmailAsync(owner, user.Email!, "a brand new password");

        var refused = await attacker.GetAsync("/security");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/Login", refused.Headers.Location!.ToString());
        Assert.Empty(await factory.Services.GetRequiredService<UserSessions>().ListActiveAsync(user.Id));
    }

    [Fact]
    public async Task DemotedAdmin_LosesTheConsoleTheExportAndTheJobs_AtTheNextRequest_ButStaysSignedIn()
    {
        var other = await factory.CreateUserAsync("other-admin@example.com", Password, Roles.Admin);
        var demoted = await factory.CreateUserAsync("demoted@example.com", Password, Roles.Admin);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, demoted.Email!, Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/audit/export")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/jobs")).StatusCode);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserDirectory>().SetAdminAsync(demoted.Id, false, other.Id, scope.ServiceProvider.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(other.Id, Tessera.Domain.Accounts.StepUpPurposes.RemoveAdmin));
            Assert.True(result.Succeeded);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/audit/export")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/admin/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task AdminLock_EndsTheSession_AtTheNextRequest()
    {
        var admin = await factory.CreateUserAsync("locking-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("locked-now@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, user.Email!, Password);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AccountAdministration>().LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount))).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task RevokeOnAnotherNode_IsRefusedAtTheNextRequestOnThisOne()
    {
        var admin = await factory.CreateUserAsync("node-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("two-nodes@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, user.Email!, Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);

        // A second node: its own process state, the same database.
        using var otherNode = new TesseraFactory().With("Tessera:DataDirectory", factory.DataDirectory).With("Jobs:RunServer", "false");
        await using (var scope = otherNode.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AccountAdministration>().RevokeSessionsAsync(user.Id, admin.Id)).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task RememberedDevice_IsForgotten_BySignOutEverywhereElse()
    {
        // The risk engine's "no baseline yet" rule would ask for the factor on a second sign-in whatever is remembered.
        using var factory = new TesseraFactory().With("Policies:Risk:WithoutBaseline", "Allow");
        var root = factory.StartKestrel();
        var user = await factory.CreateUserAsync("remembered@example.com", Password);
        var secret = await TotpEnrollment.EnrollAsync(factory, user.Id, user.Email!);
        var (browser, cookies) = Client(root);
        using (browser)
        {
            var password = await SignIn.PostLoginAsync(browser, user.Email!, Password);
            Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
            var done = await TotpEnrollment.PostCodeAsync(browser, new Uri(root, password.Headers.Location!), TotpEnrollment.NextStepCode(secret), rememberBrowser: true);
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        }
        var remembered = cookies.GetAllCookies().Single(c => c.Name == DeviceCookie.Name);

        // The same browser after signing out: the password alone is enough while it is remembered.
        Assert.Equal("/security", await PasswordOnlyAsync(root, remembered, user.Email!));

        var sessions = factory.Services.GetRequiredService<UserSessions>();
        var current = (await sessions.ListActiveAsync(user.Id)).First().Id;
        await sessions.RevokeAllExceptAsync(user.Id, current);

        Assert.StartsWith("/Account/LoginWith2fa", await PasswordOnlyAsync(root, remembered, user.Email!));
    }

    private static async Task<string> PasswordOnlyAsync(Uri root, Cookie remembered, string email)
    {
        var (client, cookies) = Client(root);
        using (client)
        {
            cookies.Add(remembered);
            var response = await SignIn.PostLoginAsync(client, email, Password);
            return response.Target()!;
        }
    }

    private static (HttpClient, CookieContainer) Client(Uri root)
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = root }, cookies);
    }

    private async Task ResetPasswordByEmailAsync(HttpClient client, string email, string newPassword)
    {
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
        await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
        }));
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, email));
        var reset = await PasswordResetForm.SubmitAsync(client, PasswordResetForm.LinkIn(mail), email, newPassword);
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.EndsWith("/Account/ResetPasswordConfirmation", reset.Headers.Location!.ToString());
    }

    public void Dispose() => factory.Dispose();
}
