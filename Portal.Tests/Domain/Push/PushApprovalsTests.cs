using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.CrossDevice;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

public sealed class PushApprovalsTests : IAsyncLifetime
{
    private PushFixture push = null!;

    public async Task InitializeAsync() => push = await PushFixture.CreateAsync();

    public async Task DisposeAsync() => await push.DisposeAsync();

    [Fact]
    public async Task Request_StoresOnlyHashes_AndTheTokenGoesOnlyIntoThePush()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();

        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();

        var row = await RowAsync(requested.Id);
        Assert.Equal(QrSignIn.Hash(token), row.TokenHash);
        Assert.Equal(QrSignIn.Hash(requested.BrowserNonce!), row.BrowserNonceHash);
        Assert.InRange(requested.Number, 10, 99);
        Assert.Equal(["Pixel 8"], requested.Devices);
        Assert.Equal(push.Database.Time.GetUtcNow() + push.Settings.ApprovalLifetime, requested.ExpiresAt);
        Assert.DoesNotContain(token, requested.BrowserNonce);
    }

    [Fact]
    public async Task Approve_WithTheTypedNumber_Approves_AndTheAskingBrowserRedeemsOnce()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();

        var view = await push.Approvals.ViewAsync(token, userId);
        var approved = await push.Approvals.ApproveAsync(token, userId, $" {requested.Number} ", PushFixture.Phone);
        var polled = await push.Approvals.StatusAsync(requested.Id, requested.BrowserNonce);
        var otherBrowser = await push.Approvals.RedeemAsync(requested.Id, "another-nonce", userId, PushFixture.Laptop);
        var first = await push.Approvals.RedeemAsync(requested.Id, requested.BrowserNonce, userId, PushFixture.Laptop);
        var replay = await push.Approvals.RedeemAsync(requested.Id, requested.BrowserNonce, userId, PushFixture.Laptop);

        Assert.NotNull(view);
        Assert.Equal("Chrome 131 on Windows", view.RequesterDevice);
        Assert.Equal(PushApprovalStatus.Approved, approved);
        Assert.Equal(PushApprovalStatus.Approved, polled);
        Assert.False(otherBrowser);
        Assert.True(first);
        Assert.False(replay);
        Assert.Equal(PushApprovalStatus.Redeemed, (await RowAsync(requested.Id)).Status);
    }

    [Fact]
    public async Task Approve_WithAWrongNumber_EndsTheRequest_SoTheRightOneNoLongerWorks()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();
        var wrong = requested.Number == 99 ? 10 : requested.Number + 1;

        var guessed = await push.Approvals.ApproveAsync(token, userId, wrong.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);
        var thenRight = await push.Approvals.ApproveAsync(token, userId, requested.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);

        Assert.Equal(PushApprovalStatus.Denied, guessed);
        Assert.Equal(PushApprovalStatus.Denied, thenRight);
        Assert.False(await push.Approvals.RedeemAsync(requested.Id, requested.BrowserNonce, userId, PushFixture.Laptop));
    }

    [Fact]
    public async Task Approve_ByAnotherSignedInUser_IsRefused_AndLeavesTheRequestOpen()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var mallory = await push.Factors.AddUserAsync("mallory@example.com");
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();

        var view = await push.Approvals.ViewAsync(token, mallory);
        var approved = await push.Approvals.ApproveAsync(token, mallory, requested.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);

        Assert.Null(view);
        Assert.NotEqual(PushApprovalStatus.Approved, approved);
        Assert.Equal(PushApprovalStatus.Pending, (await RowAsync(requested.Id)).Status);
    }

    [Fact]
    public async Task ThisWasntMe_EndsTheRequest_EmailsTheUser_AndRaisesAnAlert()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();

        var denied = await push.Approvals.DenyAsync(token, userId, thisWasntMe: true, PushFixture.Phone);

        Assert.True(denied);
        Assert.Equal(PushApprovalStatus.Denied, await push.Approvals.StatusAsync(requested.Id, requested.BrowserNonce));
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.True((await RowAsync(requested.Id)).NotMe);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.SecurityNoticeSent && e.Detail!.Contains("notice=push-not-me")));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.PushNotMe));
    }

    [Fact]
    public async Task Request_WhileOneIsOpen_IsRefused_AndAFourthWithinTenMinutesToo()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var first = await push.RequestSignInAsync(userId);

        var whileOpen = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop));
        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        await push.RequestSignInAsync(userId);
        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        await push.RequestSignInAsync(userId);
        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        var fourth = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop));
        push.Database.Time.Advance(TimeSpan.FromMinutes(10) - 3 * push.Settings.ApprovalLifetime);
        var afterWindow = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop));

        Assert.NotNull(first);
        Assert.Equal(PushRequestOutcome.OnePending, whileOpen.Outcome);
        Assert.Equal(PushRequestOutcome.TooMany, fourth.Outcome);
        Assert.Contains("3 push requests", fourth.Reason);
        Assert.Equal(PushRequestOutcome.Sent, afterWindow.Outcome);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.PushRequested && e.Outcome == AuditOutcome.Failure));
    }

    [Fact]
    public async Task TwoDenialsInAnHour_PausePushForThatHour()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        for (var i = 0; i < 2; i++)
        {
            await push.RequestSignInAsync(userId);
            var token = await push.DeliverAndReadTokenAsync();
            Assert.True(await push.Approvals.DenyAsync(token, userId, thisWasntMe: false, PushFixture.Phone));
        }

        var paused = await push.Approvals.AvailabilityAsync(userId);
        var refused = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop));
        push.Database.Time.Advance(TimeSpan.FromHours(1));
        var later = await push.Approvals.AvailabilityAsync(userId);

        Assert.False(paused.Offer);
        Assert.Equal(PushRequestOutcome.Paused, refused.Outcome);
        Assert.True(later.Offer);
    }

    [Fact]
    public async Task ParallelRequests_OpenExactlyOne()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop))));

        Assert.Equal(1, results.Count(r => r.Outcome == PushRequestOutcome.Sent));
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(1, await db.PushApprovals.CountAsync(a => a.Status == PushApprovalStatus.Pending));
        Assert.Equal(1, await db.OutboundMessages.CountAsync(m => m.Kind == Tessera.Domain.Contacts.Channel.Push));
    }

    [Fact]
    public async Task ParallelApprovals_OfOneRequest_ApproveOnce()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();
        var number = requested.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => push.Approvals.ApproveAsync(token, userId, number, PushFixture.Phone)));
        var redeems = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => push.Approvals.RedeemAsync(requested.Id, requested.BrowserNonce, userId, PushFixture.Laptop)));

        Assert.Equal(1, redeems.Count(r => r));
        Assert.All(outcomes, o => Assert.Contains(o, new[] { PushApprovalStatus.Approved, PushApprovalStatus.Redeemed }));
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.PushApproved && e.Outcome == AuditOutcome.Success));
    }

    [Fact]
    public async Task AnUnansweredRequest_Expires_AndCannotBeApprovedLate()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var token = await push.DeliverAndReadTokenAsync();

        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        var status = await push.Approvals.StatusAsync(requested.Id, requested.BrowserNonce);
        var late = await push.Approvals.ApproveAsync(token, userId, requested.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);

        Assert.Equal(PushApprovalStatus.Expired, status);
        Assert.Equal(PushApprovalStatus.Expired, late);
        Assert.Null(await push.Approvals.ViewAsync(token, userId));
    }

    [Fact]
    public async Task AnApiRequest_StaysApproved_AndOnlyItsClientReadsIt()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var result = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.Api, null, null, "client-a", "Pay 20 EUR to Bob", "a•••@example.com"));
        var token = await push.DeliverAndReadTokenAsync();

        var approved = await push.Approvals.ApproveAsync(token, userId, result.Request!.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);
        push.Database.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(PushApprovalStatus.Approved, approved);
        Assert.Null(result.Request.BrowserNonce);
        Assert.Equal(PushApprovalStatus.Approved, await push.Approvals.StatusForClientAsync(result.Request.Id, "client-a"));
        Assert.Null(await push.Approvals.StatusForClientAsync(result.Request.Id, "client-b"));
        Assert.False(await push.Approvals.RedeemAsync(result.Request.Id, null, userId, PushFixture.Laptop));
    }

    [Fact]
    public async Task Request_ForAUserWithoutDevices_SendsNothing()
    {
        var userId = await push.Factors.AddUserAsync("nobody@example.com");

        var result = await push.Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, null, PushFixture.Laptop));

        Assert.Equal(PushRequestOutcome.NoDevices, result.Outcome);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.PushApprovals.CountAsync());
    }

    [Fact]
    public async Task StepUp_ApprovedOnAnotherDevice_GivesOneProof_AndTheDeviceBeingRemovedIsNotAsked()
    {
        var (userId, first, firstSubscription) = await push.UserWithDeviceAsync();
        var (second, _) = await push.AddDeviceAsync(userId, "Laptop", push.AddFactorProof(userId));
        var scopes = new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider()
            .GetRequiredService<Microsoft.Extensions.DependencyInjection.IServiceScopeFactory>();
        var stepUp = new Tessera.Domain.SignIn.StepUp(scopes, push.Factors.Attempts, push.Factors.Check, push.Factors.Lifecycle,
            push.Factors.CreatePasskeys(), push.Database.StepUpProofs, push.Approvals);

        var offered = await stepUp.CanUsePushAsync(userId, exceptDevice: second);
        var sent = await stepUp.RequestPushAsync(userId, exceptDevice: second, browser: null);
        await push.Engine.DrainAsync();
        var pushes = await push.Service.WaitAsync(r => r.Count >= 1, TimeSpan.FromSeconds(10));
        using var payload = System.Text.Json.JsonDocument.Parse(pushes.Single().Plaintext!);
        var token = payload.RootElement.GetProperty("url").GetString()!["/push/".Length..];
        var early = await stepUp.WithPushAsync(userId, sent.Request!, Tessera.Domain.Accounts.StepUpPurposes.RemovePushDevice);
        await push.Approvals.ApproveAsync(token, userId, sent.Request!.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), PushFixture.Phone);
        var proof = await stepUp.WithPushAsync(userId, sent.Request, Tessera.Domain.Accounts.StepUpPurposes.RemovePushDevice);
        var again = await stepUp.WithPushAsync(userId, sent.Request, Tessera.Domain.Accounts.StepUpPurposes.RemovePushDevice);

        Assert.True(offered);
        Assert.Equal(firstSubscription.Id, pushes.Single().SubscriptionId);
        Assert.Contains("Confirm it is you", payload.RootElement.GetProperty("body").GetString());
        Assert.Null(early);
        Assert.NotNull(proof);
        Assert.Null(again);
        Assert.Equal(Tessera.Domain.Factors.FactorRemoval.Removed,
            await push.Factors.Lifecycle.RemoveAsync(userId, Tessera.Domain.Factors.FactorKind.PushDevice, second, proof));
        Assert.False(await stepUp.CanUsePushAsync(userId, exceptDevice: first));
    }

    [Fact]
    public async Task Retention_DeletesARequestSevenDaysAfterItExpired_NotBefore()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        var requested = await push.RequestSignInAsync(userId);
        var retention = new Tessera.Domain.Retention.DataRetention(push.Database.Factory, push.Database.Time,
            Microsoft.Extensions.Options.Options.Create(new Tessera.Domain.Retention.RetentionOptions()), push.Database.AuditLog);

        push.Database.Time.Advance(TimeSpan.FromDays(7));
        var early = await retention.ApplyAsync();
        push.Database.Time.Advance(push.Settings.ApprovalLifetime + TimeSpan.FromSeconds(1));
        var due = await retention.ApplyAsync();

        Assert.Equal(0, early.PushApprovals);
        Assert.Equal(1, due.PushApprovals);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.PushApprovals.AnyAsync(a => a.Id == requested.Id));
    }

    private async Task<PushApproval> RowAsync(Guid id)
    {
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        return await db.PushApprovals.AsNoTracking().SingleAsync(a => a.Id == id);
    }
}
