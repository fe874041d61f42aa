using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class SignOutTests : IClassFixture<TesseraFactory>
{
    private readonly TesseraFactory factory;

    public SignOutTests(TesseraFactory factory) => this.factory = factory;

    [Fact]
    public async Task SignOut_EndsTheSession_AndIsAudited()
    {
        var user = await factory.CreateUserAsync("leaving@example.com", "correct horse battery");
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "leaving@example.com", "correct horse battery");
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Logout");

        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "logout",
            ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(user.Id);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.SignOut && e.SubjectId == subject && e.Outcome == AuditOutcome.Success));
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefused()
    {
        await factory.CreateUserAsync("forged@example.com", "correct horse battery");
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "forged@example.com", "correct horse battery");

        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "logout" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }
}
