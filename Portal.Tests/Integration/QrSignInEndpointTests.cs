using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The laptop's HTTP half of QR sign-in: the page's binding cookie, the status poll and the single redemption.</summary>
public sealed partial class QrSignInEndpointTests : IDisposable
{
    private readonly TesseraFactory factory = new TesseraFactory().With("CrossDevice:MaxLiveSessionsPerIp", "3");

    [Fact]
    public async Task Page_SetsAnHttpOnlyCookieBoundToTheSession_AndStatusReadsPending()
    {
        using var client = factory.CreateBrowserlessClient();

        var (id, response) = await OpenPageAsync(client);
        var status = await StatusAsync(client, id);

        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Tessera.QrSignIn=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"path=/qr/sessions/{id}", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("pending", status);
    }

    [Fact]
    public async Task Status_FromAnotherBrowser_IsNotFound()
    {
        using var laptop = factory.CreateBrowserlessClient();
        using var stranger = factory.CreateBrowserlessClient();
        var (id, _) = await OpenPageAsync(laptop);

        var response = await stranger.GetAsync($"/qr/sessions/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Redeem_WithoutTheCookie_IsRefused_AndDoesNotUseUpTheApproval()
    {
        var user = await factory.CreateUserAsync("qr-stranger@example.com", "correct horse battery");
        using var laptop = factory.CreateBrowserlessClient();
        using var stranger = factory.CreateBrowserlessClient();
        var (id, _) = await OpenPageAsync(laptop);
        await ApproveBehindTheScenesAsync(id, user.Id);

        var refused = await stranger.GetAsync($"/qr/sessions/{id}/redeem");
        var strangerSecurity = await stranger.GetAsync("/security");
        var owner = await laptop.GetAsync($"/qr/sessions/{id}/redeem");

        Assert.Equal("/signin/qr?error=refused", refused.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, strangerSecurity.StatusCode);
        Assert.Equal("/security", owner.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Redeem_Approved_SignsInOnce_AndTheSecondRedemptionIsRefused()
    {
        var user = await factory.CreateUserAsync("qr-twice@example.com", "correct horse battery");
        using var laptop = factory.CreateBrowserlessClient();
        var (id, _) = await OpenPageAsync(laptop);
        await ApproveBehindTheScenesAsync(id, user.Id);

        var first = await laptop.GetAsync($"/qr/sessions/{id}/redeem");
        var security = await laptop.GetAsync("/security");
        using var replay = factory.CreateBrowserlessClient();
        var nonce = NonceOf(first);
        var secondRequest = new HttpRequestMessage(HttpMethod.Get, $"/qr/sessions/{id}/redeem");
        secondRequest.Headers.Add("Cookie", $"Tessera.QrSignIn={nonce}");
        var second = await replay.SendAsync(secondRequest);

        Assert.Equal("/security", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, security.StatusCode);
        Assert.Equal("/signin/qr?error=refused", second.Headers.Location?.OriginalString);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(user.Id);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.SignIn && e.SubjectId == subject && e.Detail!.Contains("QR")));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.QrSignInRedeemed && e.Outcome == AuditOutcome.Failure));
    }

    [Fact]
    public async Task Redeem_ForAnUnconfirmedEmail_SaysToConfirmIt_NotThatTheAccountIsLocked()
    {
        var user = await factory.CreateUserAsync("qr-unconfirmed@example.com", "correct horse battery");
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, false));
        }
        using var laptop = factory.CreateBrowserlessClient();
        var (id, _) = await OpenPageAsync(laptop);
        await ApproveBehindTheScenesAsync(id, user.Id);

        var redeemed = await laptop.GetAsync($"/qr/sessions/{id}/redeem");
        var page = await laptop.GetStringAsync(redeemed.Headers.Location!.OriginalString);
        var security = await laptop.GetAsync("/security");

        Assert.Equal("/signin/qr?error=unconfirmed", redeemed.Headers.Location.OriginalString);
        Assert.Contains("Confirm your email address before signing in", page);
        Assert.DoesNotContain("failed", page, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Redirect, security.StatusCode);
    }

    [Fact]
    public async Task Page_PastTheLiveSessionsCap_ShowsAnErrorAndNoCode()
    {
        using var client = factory.CreateBrowserlessClient();
        for (var i = 0; i < 3; i++)
        {
            await OpenPageAsync(client);
        }

        var html = await client.GetStringAsync("/signin/qr");

        Assert.Contains("Too many sign-in codes", html);
        Assert.DoesNotContain("data-qr-session", html);
    }

    public void Dispose() => factory.Dispose();

    private static async Task<(Guid Id, HttpResponseMessage Response)> OpenPageAsync(HttpClient client)
    {
        var response = await client.GetAsync("/signin/qr");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = SessionRegex().Match(await response.Content.ReadAsStringAsync());
        Assert.True(match.Success, "The QR sign-in page shows no session.");
        return (Guid.Parse(match.Groups[1].Value), response);
    }

    private static async Task<string> StatusAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/qr/sessions/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("status").GetString()!;
    }

    // The token lives only in the QR picture; the browser test scans it. Here the phone's part is done straight in the table.
    private async Task ApproveBehindTheScenesAsync(Guid id, string userId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var updated = await db.QrSignInSessions.Where(s => s.Id == id && s.Status == QrSignInStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Approved).SetProperty(s => s.ApproverUserId, userId));
        Assert.Equal(1, updated);
    }

    // The redeem response deletes the cookie; the value the browser sent is what a replay would send again.
    private static string NonceOf(HttpResponseMessage redeemResponse) =>
        NonceRegex().Match(redeemResponse.RequestMessage!.Headers.GetValues("Cookie").Single()).Groups[1].Value;

    [GeneratedRegex("data-qr-session=\"([0-9a-f-]{36})\"")]
    private static partial Regex SessionRegex();

    [GeneratedRegex("Tessera.QrSignIn=([^;]+)")]
    private static partial Regex NonceRegex();
}
