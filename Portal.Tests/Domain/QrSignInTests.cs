using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.CrossDevice;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class QrSignInTests : IAsyncLifetime
{
    private const string Ada = "user-ada";
    private const string Mallory = "user-mallory";
    private static readonly QrDevice Laptop = new("203.0.113.7", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
    private static readonly QrDevice Phone = new("198.51.100.9", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36");

    private TestDatabase database = null!;
    private QrSignIn qr = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        qr = new QrSignIn(database.Factory, database.Time, database.AuditLog, database.Pseudonymizer, Options.Create(new CrossDeviceOptions()));
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Create_Always_StoresOnlyHashesAndA128BitToken()
    {
        var created = await CreateAsync();

        var row = await RowAsync(created.Id);
        Assert.Equal(QrSignInStatus.Pending, row.Status);
        Assert.Equal(QrSignIn.Hash(created.Token), row.TokenHash);
        Assert.Equal(QrSignIn.Hash(created.BrowserNonce), row.BrowserNonceHash);
        Assert.True(Convert.FromBase64String(Base64(created.Token)).Length >= 16);
        Assert.InRange(created.Number, 10, 99);
        Assert.Equal(database.Time.GetUtcNow().AddSeconds(120), created.ExpiresAt);
        Assert.Equal("Chrome 131 on Windows", row.RequesterDevice);
    }

    [Fact]
    public async Task Create_PastTheLiveSessionsPerIpCap_IsRefused()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync();
        }

        var sixth = await qr.CreateAsync(Laptop);
        var otherAddress = await qr.CreateAsync(Laptop with { IpAddress = "203.0.113.8" });
        database.Time.Advance(TimeSpan.FromSeconds(120));
        var afterExpiry = await qr.CreateAsync(Laptop);

        Assert.Equal(QrCreateOutcome.TooManyLiveSessions, sixth.Outcome);
        Assert.Equal(QrCreateOutcome.Created, otherAddress.Outcome);
        Assert.Equal(QrCreateOutcome.Created, afterExpiry.Outcome);
    }

    [Fact]
    public async Task Scan_PendingSession_BindsItToTheUserAndOffersTheNumber()
    {
        var created = await CreateAsync();

        var view = await qr.ScanAsync(created.Token, Ada, Phone);
        var again = await qr.ScanAsync(created.Token, Ada, Phone);

        Assert.NotNull(view);
        Assert.NotNull(again);
        Assert.Equal(view, again);
        var row = await RowAsync(created.Id);
        Assert.Equal(QrSignInStatus.Scanned, row.Status);
        Assert.Equal(Ada, row.ApproverUserId);
    }

    [Fact]
    public async Task Scan_ByASecondUser_IsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);

        var view = await qr.ScanAsync(created.Token, Mallory, Phone);

        Assert.Null(view);
        Assert.Equal(Ada, (await RowAsync(created.Id)).ApproverUserId);
    }

    [Fact]
    public async Task Scan_UnknownToken_IsRefused()
    {
        await CreateAsync();

        Assert.Null(await qr.ScanAsync("not-a-token", Ada, Phone));
    }

    [Fact]
    public async Task Status_At120Seconds_IsExpiredAndPersisted()
    {
        var created = await CreateAsync();
        database.Time.Advance(TimeSpan.FromMilliseconds(119_999));
        var before = await qr.StatusAsync(created.Id, created.BrowserNonce);
        database.Time.Advance(TimeSpan.FromMilliseconds(1));

        var at = await qr.StatusAsync(created.Id, created.BrowserNonce);

        Assert.Equal(QrSignInStatus.Pending, before);
        Assert.Equal(QrSignInStatus.Expired, at);
        Assert.Equal(QrSignInStatus.Expired, (await RowAsync(created.Id)).Status);
    }

    [Fact]
    public async Task Scan_At120Seconds_IsRefused()
    {
        var created = await CreateAsync();
        database.Time.Advance(TimeSpan.FromSeconds(120));

        Assert.Null(await qr.ScanAsync(created.Token, Ada, Phone));
    }

    [Fact]
    public async Task Approve_AfterExpiry_IsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);
        database.Time.Advance(TimeSpan.FromSeconds(120));

        var status = await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        Assert.Equal(QrSignInStatus.Expired, status);
        Assert.Null(await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop));
    }

    [Fact]
    public async Task Status_WithAnotherBrowsersNonce_IsNull()
    {
        var created = await CreateAsync();

        Assert.Null(await qr.StatusAsync(created.Id, "another-browser"));
        Assert.Null(await qr.StatusAsync(created.Id, null));
    }

    [Fact]
    public async Task Approve_RightNumber_ApprovesAndTheLaptopSeesIt()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);

        var status = await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        Assert.Equal(QrSignInStatus.Approved, status);
        Assert.Equal(QrSignInStatus.Approved, await qr.StatusAsync(created.Id, created.BrowserNonce));
    }

    [Fact]
    public async Task Approve_WrongNumber_DeniesTheSession_AndTheRightNumberNoLongerHelps()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);

        var wrong = await qr.ApproveAsync(created.Token, Ada, WrongNumber(created), Phone);
        var right = await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        Assert.Equal(QrSignInStatus.Denied, wrong);
        Assert.Equal(QrSignInStatus.Denied, right);
        Assert.Equal(QrSignInStatus.Denied, await qr.StatusAsync(created.Id, created.BrowserNonce));
    }

    [Fact]
    public async Task Approve_BeforeScan_IsRefused()
    {
        var created = await CreateAsync();

        var status = await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        Assert.Equal(QrSignInStatus.Pending, status);
        Assert.Equal(QrSignInStatus.Pending, (await RowAsync(created.Id)).Status);
    }

    [Fact]
    public async Task Approve_ByAUserWhoDidNotScan_IsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);

        var status = await qr.ApproveAsync(created.Token, Mallory, created.Number, Phone);

        Assert.Equal(QrSignInStatus.Scanned, status);
    }

    [Fact]
    public async Task Approve_Twice_TheSecondIsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);
        await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        var again = await qr.ApproveAsync(created.Token, Ada, WrongNumber(created), Phone);

        Assert.Equal(QrSignInStatus.Approved, again);
        Assert.Equal(QrSignInStatus.Approved, (await RowAsync(created.Id)).Status);
    }

    [Fact]
    public async Task Deny_ThisWasntMe_DeniesAndRaisesAnAlert()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);

        var denied = await qr.DenyAsync(created.Token, Ada, thisWasntMe: true, Phone);

        Assert.True(denied);
        Assert.Equal(QrSignInStatus.Denied, (await RowAsync(created.Id)).Status);
        var alert = Assert.Single(await database.AuditLog.RecentAsync(50), e => e.Type == AuditEventTypes.QrSignInNotMe);
        Assert.Equal(Ada, alert.SubjectId);
        Assert.Contains("laptop=Chrome 131 on Windows", alert.Detail);
        Assert.Equal("Chrome 131 on Android", alert.UserAgent);
    }

    [Fact]
    public async Task Deny_AfterApproval_IsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);
        await qr.ApproveAsync(created.Token, Ada, created.Number, Phone);

        var denied = await qr.DenyAsync(created.Token, Ada, thisWasntMe: false, Phone);

        Assert.False(denied);
        Assert.Equal(QrSignInStatus.Approved, (await RowAsync(created.Id)).Status);
    }

    [Fact]
    public async Task Redeem_Approved_ReturnsTheApproverOnce()
    {
        var created = await ApprovedAsync();

        var first = await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop);
        var second = await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop);

        Assert.Equal(Ada, first);
        Assert.Null(second);
        Assert.Equal(QrSignInStatus.Redeemed, await qr.StatusAsync(created.Id, created.BrowserNonce));
    }

    [Fact]
    public async Task Redeem_FromAnotherBrowser_IsRefused_AndLeavesItForTheRightOne()
    {
        var created = await ApprovedAsync();

        var stranger = await qr.RedeemAsync(created.Id, "another-browser", Laptop);
        var noCookie = await qr.RedeemAsync(created.Id, null, Laptop);
        var owner = await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop);

        Assert.Null(stranger);
        Assert.Null(noCookie);
        Assert.Equal(Ada, owner);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Redeem_BeforeApproval_IsRefused(bool scanned)
    {
        var created = await CreateAsync();
        if (scanned)
        {
            await qr.ScanAsync(created.Token, Ada, Phone);
        }

        Assert.Null(await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop));
    }

    [Fact]
    public async Task Redeem_Denied_IsRefused()
    {
        var created = await CreateAsync();
        await qr.ScanAsync(created.Token, Ada, Phone);
        await qr.DenyAsync(created.Token, Ada, thisWasntMe: false, Phone);

        Assert.Null(await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop));
    }

    [Fact]
    public async Task Redeem_AfterTheRedeemWindow_IsRefused()
    {
        var created = await ApprovedAsync();
        database.Time.Advance(QrSignIn.RedeemWindow);

        var redeemed = await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop);

        Assert.Null(redeemed);
        Assert.Equal(QrSignInStatus.Expired, await qr.StatusAsync(created.Id, created.BrowserNonce));
    }

    [Fact]
    public async Task EveryStep_IsAudited()
    {
        var created = await ApprovedAsync();
        await qr.RedeemAsync(created.Id, created.BrowserNonce, Laptop);

        var types = (await database.AuditLog.RecentAsync(50)).Select(e => e.Type).ToList();

        Assert.Contains(AuditEventTypes.QrSignInCreated, types);
        Assert.Contains(AuditEventTypes.QrSignInScanned, types);
        Assert.Contains(AuditEventTypes.QrSignInApproved, types);
        Assert.Contains(AuditEventTypes.QrSignInRedeemed, types);
    }

    private async Task<QrSignInCreated> CreateAsync()
    {
        var result = await qr.CreateAsync(Laptop);
        Assert.Equal(QrCreateOutcome.Created, result.Outcome);
        return result.Session!;
    }

    private async Task<QrSignInCreated> ApprovedAsync()
    {
        var created = await CreateAsync();
        Assert.NotNull(await qr.ScanAsync(created.Token, Ada, Phone));
        Assert.Equal(QrSignInStatus.Approved, await qr.ApproveAsync(created.Token, Ada, created.Number, Phone));
        return created;
    }

    private async Task<QrSignInSession> RowAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.QrSignInSessions.AsNoTracking().SingleAsync(s => s.Id == id);
    }

    private static int WrongNumber(QrSignInCreated created) => created.Number == 10 ? 11 : 10;

    private static string Base64(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
