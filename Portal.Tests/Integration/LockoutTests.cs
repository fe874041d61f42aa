using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class LockoutTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "3");

    [Fact]
    public async Task WrongPasswords_LockTheAccount_AtTheConfiguredThreshold()
    {
        await factory.CreateUserAsync("locked@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var first = await SignIn.PostLoginAsync(client, "locked@example.com", "wrong password 1");
        var second = await SignIn.PostLoginAsync(client, "locked@example.com", "wrong password 2");
        var third = await SignIn.PostLoginAsync(client, "locked@example.com", "wrong password 3");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("Invalid sign-in attempt", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        Assert.Equal("/Account/Lockout", PathOf(third));
    }

    [Fact]
    public async Task LockedAccount_RefusesTheRightPassword()
    {
        await factory.CreateUserAsync("locked2@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        for (var i = 0; i < 3; i++)
        {
            await SignIn.PostLoginAsync(client, "locked2@example.com", $"wrong password {i}");
        }

        var response = await SignIn.PostLoginAsync(client, "locked2@example.com", Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Lockout", PathOf(response));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task SignInAttempts_AreAudited_WithASummarisedBrowser()
    {
        var user = await factory.CreateUserAsync("audited@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36");

        await SignIn.PostLoginAsync(client, "audited@example.com", "wrong password");
        await SignIn.SignInAsync(client, "audited@example.com", Password);

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(user.Id);
        var events = await db.AuditEvents.Where(e => e.SubjectId == subject && e.Type == AuditEventTypes.SignIn).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([AuditOutcome.Failure, AuditOutcome.Success], events.Select(e => e.Outcome));
        Assert.Equal("wrong password", events[0].Detail);
        Assert.All(events, e => Assert.Equal("Chrome 156 on Linux", e.UserAgent));
    }

    [Fact]
    public async Task TheLastTries_SayHowManyAreLeft_AndTheLockoutPageSaysWhyAndUntilWhen()
    {
        await factory.CreateUserAsync("counted@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var first = await (await SignIn.PostLoginAsync(client, "counted@example.com", "wrong 1")).Content.ReadAsStringAsync();
        var second = await (await SignIn.PostLoginAsync(client, "counted@example.com", "wrong 2")).Content.ReadAsStringAsync();
        var locked = await SignIn.PostLoginAsync(client, "counted@example.com", "wrong 3");
        var page = await client.GetStringAsync(locked.Headers.Location!);

        Assert.Contains("2 attempts left", first);
        Assert.Contains("1 attempt left", second);
        Assert.Contains("Too many failed sign-in attempts", page);
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, "counted@example.com"));
        // The in-memory client has no address: its network is one that could not be told.
        Assert.Contains("too many wrong passwords from a network we could not tell", mail);
        Assert.Contains("You can still sign in from your usual networks", mail);
        Assert.Matches(@"<time datetime=""[^""]+"" data-local-time>\d\d:\d\d UTC</time>", page);
        Assert.Contains("Choose a new password", page);
    }

    [Fact]
    public async Task AnAdministratorsLock_IsNamedOnTheLockoutPage_WithoutARecommendedReset()
    {
        var admin = await factory.CreateUserAsync("locking@example.com", Password, Tessera.Domain.Accounts.Roles.Admin);
        var user = await factory.CreateUserAsync("admin-locked@example.com", Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Tessera.Domain.Accounts.AccountAdministration>().LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount));
        }
        using var client = factory.CreateBrowserlessClient();

        var response = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var page = await client.GetStringAsync(response.Headers.Location!);

        Assert.Contains("An administrator has locked this account", page);
        Assert.DoesNotContain("Choose a new password", page);
    }

    [Fact]
    public async Task APasswordReset_EndsAFailedAttemptsLockout()
    {
        var user = await factory.CreateUserAsync("reset-unlocks@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        for (var i = 0; i < 3; i++)
        {
            await SignIn.PostLoginAsync(client, user.Email!, $"wrong {i}");
        }
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Tessera.Domain.Accounts.ApplicationUser>>();
            token = await users.GeneratePasswordResetTokenAsync((await users.FindByIdAsync(user.Id))!);
        }
        var link = new Uri($"http://localhost/Account/ResetPassword?code={Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(token))}");

        var reset = await PasswordResetForm.SubmitAsync(client, link, user.Email!, "a brand new password");

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        await SignIn.SignInAsync(client, user.Email!, "a brand new password");
    }

    [Fact]
    public async Task APasswordReset_DoesNotLiftAnAdministratorsLock()
    {
        var admin = await factory.CreateUserAsync("reset-locker@example.com", Password, Tessera.Domain.Accounts.Roles.Admin);
        var user = await factory.CreateUserAsync("reset-admin-locked@example.com", Password);
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Tessera.Domain.Accounts.AccountAdministration>().LockAsync(user.Id, admin.Id,
                factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount));
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Tessera.Domain.Accounts.ApplicationUser>>();
            token = await users.GeneratePasswordResetTokenAsync((await users.FindByIdAsync(user.Id))!);
        }
        using var client = factory.CreateBrowserlessClient();
        var link = new Uri($"http://localhost/Account/ResetPassword?code={Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(token))}");

        await PasswordResetForm.SubmitAsync(client, link, user.Email!, "a brand new password");
        var signIn = await SignIn.PostLoginAsync(client, user.Email!, "a brand new password");

        Assert.Equal("/Account/Lockout", PathOf(signIn));
        Assert.Contains("reason=admin", signIn.Headers.Location!.ToString());
    }

    private static string PathOf(HttpResponseMessage response) =>
        new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath;

    public void Dispose() => factory.Dispose();
}
