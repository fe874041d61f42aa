using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class SessionsTests : IClassFixture<TesseraFactory>
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory;

    public SessionsTests(TesseraFactory factory) => this.factory = factory;

    private UserSessions Sessions => factory.Services.GetRequiredService<UserSessions>();

    [Fact]
    public async Task TwoSignIns_AreTwoSessions_AndRevokingOneSignsOutOnlyThatBrowser()
    {
        var user = await factory.CreateUserAsync("two-browsers@example.com", Password);
        using var laptop = factory.CreateBrowserlessClient();
        using var phone = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(laptop, user.Email!, Password);
        var laptopSession = Assert.Single(await Sessions.ListActiveAsync(user.Id)).Id;
        await SignIn.SignInAsync(phone, user.Email!, Password);

        var listed = await Sessions.ListActiveAsync(user.Id);
        Assert.Equal(2, listed.Count);
        Assert.All(listed, s => Assert.Equal("password", s.Method));

        Assert.True(await Sessions.RevokeAsync(user.Id, laptopSession));

        var refused = await laptop.GetAsync("/security");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/Login", refused.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task AdminRevoke_EndsEverySessionOfTheUser_AtTheirNextRequest()
    {
        var admin = await factory.CreateUserAsync("session-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("revoked-everywhere@example.com", Password);
        using var first = factory.CreateBrowserlessClient();
        using var second = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(first, user.Email!, Password);
        await SignIn.SignInAsync(second, user.Email!, Password);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/security")).StatusCode);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<AccountAdministration>().RevokeSessionsAsync(user.Id, admin.Id);
            Assert.True(result.Succeeded);
        }

        Assert.Empty(await Sessions.ListActiveAsync(user.Id));
        Assert.Equal(HttpStatusCode.Redirect, (await first.GetAsync("/security")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/security")).StatusCode);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var (actor, subject) = (await factory.AuditNameAsync(admin.Id), await factory.AuditNameAsync(user.Id));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == Tessera.Domain.Audit.AuditEventTypes.SessionsRevoked
            && e.ActorId == actor && e.SubjectId == subject && e.Detail == "sessions=2"));
    }

    [Fact]
    public async Task SignOut_EndsTheSessionRow()
    {
        var user = await factory.CreateUserAsync("signs-out@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, user.Email!, Password);
        var session = Assert.Single(await Sessions.ListActiveAsync(user.Id)).Id;
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Logout");

        await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "logout",
            ["__RequestVerificationToken"] = token,
        }));

        Assert.Empty(await Sessions.ListActiveAsync(user.Id));
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.NotNull((await db.UserSessions.SingleAsync(s => s.Id == session)).RevokedAt);
    }

    [Fact]
    public async Task CopiedCookieReplayedAfterSignOut_IsRefused()
    {
        var user = await factory.CreateUserAsync("replayed@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var login = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Tessera.Auth=", StringComparison.Ordinal)).Split(';')[0];
        using var copy = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Assert.Equal(HttpStatusCode.OK, (await SendWithCookieAsync(copy, cookie)).StatusCode);
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Logout");

        await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "logout",
            ["__RequestVerificationToken"] = token,
        }));

        // Without sessions a copy of the cookie kept working after sign-out, until the security stamp changed.
        Assert.Equal(HttpStatusCode.Redirect, (await SendWithCookieAsync(copy, cookie)).StatusCode);
    }

    private static Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/security");
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }
}
