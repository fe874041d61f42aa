using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Contacts;
using Tessera.Domain.Delivery;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

/// <summary>The push channel through the delivery engine, against a push service stand-in that decrypts and checks VAPID.</summary>
public sealed class PushDeliveryTests : IAsyncLifetime
{
    private PushFixture push = null!;

    public async Task InitializeAsync() => push = await PushFixture.CreateAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));

    public async Task DisposeAsync() => await push.DisposeAsync();

    [Fact]
    public async Task Delivery_EncryptsToTheDevice_SignsWithVapid_AndLivesNoLongerThanTheRequest()
    {
        var (userId, _, subscription) = await push.UserWithDeviceAsync();
        await push.RequestSignInAsync(userId);

        await push.Engine.DrainAsync();
        var received = (await push.Service.WaitAsync(r => r.Count == 1, TimeSpan.FromSeconds(10)))[0];

        Assert.Equal(subscription.Id, received.SubscriptionId);
        Assert.Null(received.DecryptError);
        Assert.True(received.Vapid.Valid, received.Vapid.Error);
        Assert.Equal("mailto:postmaster@localhost", received.Vapid.Subject);
        Assert.Equal((await push.Vapid.CurrentAsync()).PublicKey, received.Vapid.PublicKey);
        Assert.Equal("aes128gcm", received.Header("Content-Encoding"));
        Assert.Equal("high", received.Header("Urgency"));
        Assert.InRange(int.Parse(received.Header("TTL")!, System.Globalization.CultureInfo.InvariantCulture), 1, 120);
        using var payload = JsonDocument.Parse(received.Plaintext!);
        Assert.Equal("Tessera: approve this?", payload.RootElement.GetProperty("title").GetString());
        Assert.Contains("Chrome 131 on Windows", payload.RootElement.GetProperty("body").GetString());
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        var message = await db.OutboundMessages.SingleAsync(m => m.Kind == Channel.Push);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Null(message.TextBody);
        Assert.Equal("Pixel 8", message.MaskedRecipient);
    }

    [Fact]
    public async Task Gone_RemovesTheDevice_AndIsNotRetried()
    {
        var (userId, deviceId, subscription) = await push.UserWithDeviceAsync();
        push.Service.Forget(subscription.Id);
        await push.RequestSignInAsync(userId);

        await push.Engine.DrainAsync();
        push.Database.Time.Advance(TimeSpan.FromMinutes(1));
        await push.Engine.DrainAsync();

        Assert.Single(push.Service.Requests);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.PushDevices.AnyAsync(d => d.Id == deviceId));
        var message = await db.OutboundMessages.SingleAsync(m => m.Kind == Channel.Push);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Contains("410", message.LastError);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.PushDeviceGone));
        Assert.False((await db.Users.SingleAsync(u => u.Id == userId)).TwoFactorEnabled);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Throttled_OrServerError_IsRetriedWithBackoff_ThenDelivered(int status)
    {
        var (userId, deviceId, _) = await push.UserWithDeviceAsync();
        push.Service.Respond = (_, count) => count == 1 ? status : 201;
        await push.RequestSignInAsync(userId);

        // (The engine here has only the push channel: the security emails fail beside it, and are not counted.)
        await push.Engine.DrainAsync();
        var afterFirst = push.Service.Requests.Count;
        await push.Engine.DrainAsync();
        var tooEarly = push.Service.Requests.Count;
        push.Database.Time.Advance(TimeSpan.FromSeconds(5));
        await push.Engine.DrainAsync();

        Assert.Equal((1, 1), (afterFirst, tooEarly));
        Assert.Equal([status, 201], push.Service.Requests.Select(r => r.Status));
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        Assert.Equal(2, await db.DeliveryAttempts.CountAsync(a => a.Channel == Channel.Push));
        Assert.Equal(MessageStatus.Sent, (await db.OutboundMessages.SingleAsync(m => m.Kind == Channel.Push)).Status);
        Assert.NotNull((await db.PushDevices.SingleAsync(d => d.Id == deviceId)).LastUsedAt);
    }

    [Fact]
    public async Task ARequestThatExpiredBeforeItsTurn_IsNotPushed()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        push.Service.Respond = (_, _) => 503;
        await push.RequestSignInAsync(userId);
        await push.Engine.DrainAsync();

        push.Database.Time.Advance(push.Settings.ApprovalLifetime);
        await push.Engine.DrainAsync();

        Assert.Single(push.Service.Requests);
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        var message = await db.OutboundMessages.SingleAsync(m => m.Kind == Channel.Push);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Contains("expired", message.LastError);
    }

    [Fact]
    public async Task EveryDeviceOfTheUser_GetsItsOwnPush_WhenNoneIsNamed()
    {
        var (userId, _, first) = await push.UserWithDeviceAsync();
        var (_, second) = await push.AddDeviceAsync(userId, "Laptop", push.AddFactorProof(userId));

        await push.RequestSignInAsync(userId);
        await push.Engine.DrainAsync();

        var received = await push.Service.WaitAsync(r => r.Count == 2, TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { first.Id, second.Id }.Order(), received.Select(r => r.SubscriptionId).Order());
        Assert.All(received, r => Assert.Null(r.DecryptError));
    }
}
