using Microsoft.EntityFrameworkCore;
using Tessera.Domain.CrossDevice;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

/// <summary>The QR page's alternative: a push sign-in without a password, which must tell nobody who has an account.</summary>
public sealed class PushPasswordlessTests : IAsyncLifetime
{
    private PushFixture push = null!;

    public async Task InitializeAsync() => push = await PushFixture.CreateAsync();

    public async Task DisposeAsync() => await push.DisposeAsync();

    [Fact]
    public async Task Approved_IsRedeemedOnce_ByTheAskingBrowser_IntoTheApproversUserId()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();

        var sent = await push.Passwordless.RequestPasswordlessAsync(userId, PushFixture.Laptop);
        var token = await push.DeliverAndReadTokenAsync();
        await push.Approvals.ApproveAsync(token, userId, sent.Request!.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);
        var asSecondStep = await push.Approvals.RedeemAsync(sent.Request.Id, sent.Request.BrowserNonce, userId, PushFixture.Laptop);
        var otherBrowser = await push.Passwordless.RedeemPasswordlessAsync(sent.Request.Id, "other", PushFixture.Laptop);
        var first = await push.Passwordless.RedeemPasswordlessAsync(sent.Request.Id, sent.Request.BrowserNonce, PushFixture.Laptop);
        var replay = await push.Passwordless.RedeemPasswordlessAsync(sent.Request.Id, sent.Request.BrowserNonce, PushFixture.Laptop);

        Assert.False(asSecondStep);
        Assert.Null(otherBrowser);
        Assert.Equal(userId, first);
        Assert.Null(replay);
    }

    [Fact]
    public async Task ASecondStepApproval_CannotBeRedeemedWithoutThePassword()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();
        await push.Approvals.ApproveAsync(token, userId, requested.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);

        Assert.Null(await push.Passwordless.RedeemPasswordlessAsync(requested.Id, requested.BrowserNonce, PushFixture.Laptop));
        Assert.True(await push.Approvals.RedeemAsync(requested.Id, requested.BrowserNonce, userId, PushFixture.Laptop));
    }

    [Fact]
    public async Task NoAccount_NoDevice_OrRationed_AnswerAlike_AndPushNothing()
    {
        var withoutDevice = await push.Factors.AddUserAsync("nodevice@example.com");
        var (paused, _, _) = await push.UserWithDeviceAsync("paused@example.com");
        await push.RequestSignInAsync(paused);

        var nobody = await push.Passwordless.RequestPasswordlessAsync(null, PushFixture.Laptop);
        var noDevice = await push.Passwordless.RequestPasswordlessAsync(withoutDevice, PushFixture.Laptop with { IpAddress = "203.0.113.8" });
        var rationed = await push.Passwordless.RequestPasswordlessAsync(paused, PushFixture.Laptop with { IpAddress = "203.0.113.9" });
        await push.Engine.DrainAsync();

        foreach (var result in new[] { nobody, noDevice, rationed })
        {
            Assert.Equal(PushRequestOutcome.Sent, result.Outcome);
            Assert.NotNull(result.Request!.BrowserNonce);
            Assert.InRange(result.Request.Number, 10, 99);
            Assert.Equal(PushApprovalStatus.Pending, await push.Approvals.StatusAsync(result.Request.Id, result.Request.BrowserNonce));
        }
        // Only the paused user's own second-step request went out.
        Assert.Single(push.Service.Requests);
        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        Assert.Equal(PushApprovalStatus.Expired, await push.Approvals.StatusAsync(nobody.Request!.Id, nobody.Request.BrowserNonce));
    }

    [Fact]
    public async Task OneNetwork_MayHaveFiveOpenRequests_TheSixthIsRefusedSayingNothingOfAnyAccount()
    {
        for (var i = 0; i < PushPasswordless.MaxLivePasswordlessPerNetwork; i++)
        {
            Assert.Equal(PushRequestOutcome.Sent, (await push.Passwordless.RequestPasswordlessAsync(null, PushFixture.Laptop)).Outcome);
        }

        var sixth = await push.Passwordless.RequestPasswordlessAsync(null, PushFixture.Laptop);
        var elsewhere = await push.Passwordless.RequestPasswordlessAsync(null, PushFixture.Laptop with { IpAddress = "198.51.100.200" });

        Assert.Equal(PushRequestOutcome.TooMany, sixth.Outcome);
        Assert.Contains("from your network", sixth.Reason);
        Assert.Equal(PushRequestOutcome.Sent, elsewhere.Outcome);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.OutboundMessages.CountAsync(m => m.Kind == Tessera.Domain.Contacts.Channel.Push));
    }
}
