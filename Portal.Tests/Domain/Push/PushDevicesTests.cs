using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Push;
using Tessera.Domain.Keys;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

public sealed class PushDevicesTests : IAsyncLifetime
{
    private PushFixture push = null!;

    public async Task InitializeAsync() => push = await PushFixture.CreateAsync();

    public async Task DisposeAsync() => await push.DisposeAsync();

    [Fact]
    public async Task Register_TheFirstDevice_IsAFactor_WithItsKeysEncryptedAtRest_AndRecoveryCodes()
    {
        var userId = await push.Factors.AddUserAsync();
        var subscription = push.Service.Subscribe();

        var added = await push.Devices.RegisterAsync(userId, new(subscription.Endpoint, subscription.P256dh, subscription.Auth), " Pixel 8 ", PushFixture.Phone.UserAgent, null);

        Assert.Equal(PushRegistrationOutcome.Added, added.Outcome);
        Assert.NotNull(added.FirstRecoveryCodes);
        var factors = await push.Factors.Lifecycle.ListAsync(userId);
        Assert.Equal((FactorKind.PushDevice, "Pixel 8"), (factors.Single().Kind, factors.Single().Name));
        await using var db = await push.Database.Factory.CreateDbContextAsync();
        var raw = string.Join("|", await db.Database.SqlQueryRaw<string>("SELECT \"P256dh\" || \"Endpoint\" || \"Auth\" AS \"Value\" FROM \"PushDevices\"").ToListAsync());
        Assert.DoesNotContain(subscription.P256dh, raw);
        Assert.DoesNotContain("127.0.0.1", raw);
        Assert.Equal("Chrome 131 on Android", (await push.Devices.ListAsync(userId)).Single().Device);
    }

    [Fact]
    public async Task Register_ASecondDevice_NeedsAStepUp_AndTheSameBrowserAgainOnlyRefreshesIt()
    {
        var (userId, deviceId, subscription) = await push.UserWithDeviceAsync();
        var other = push.Service.Subscribe();
        push.Database.Time.Advance(TimeSpan.FromMinutes(1));

        var withoutProof = await push.Devices.RegisterAsync(userId, new(other.Endpoint, other.P256dh, other.Auth), "Laptop", null, null);
        var again = await push.Devices.RegisterAsync(userId, new(subscription.Endpoint, other.P256dh, other.Auth), "ignored", null, null);
        var withProof = await push.Devices.RegisterAsync(userId, new(other.Endpoint, other.P256dh, other.Auth), "Laptop", null, push.AddFactorProof(userId));

        Assert.Equal(PushRegistrationOutcome.StepUpRequired, withoutProof.Outcome);
        Assert.Equal((PushRegistrationOutcome.Updated, deviceId), (again.Outcome, again.Id!.Value));
        Assert.Equal(PushRegistrationOutcome.Added, withProof.Outcome);
        Assert.Equal(["Pixel 8", "Laptop"], (await push.Devices.ListAsync(userId)).Select(d => d.Name));
    }

    [Fact]
    public async Task Register_BeyondFiveDevices_IsRefused()
    {
        var (userId, _, _) = await push.UserWithDeviceAsync();
        for (var i = 2; i <= 5; i++)
        {
            await push.AddDeviceAsync(userId, $"Device {i}", push.AddFactorProof(userId));
        }
        var sixth = push.Service.Subscribe();

        var refused = await push.Devices.RegisterAsync(userId, new(sixth.Endpoint, sixth.P256dh, sixth.Auth), "Sixth", null, push.AddFactorProof(userId));

        Assert.Equal(PushRegistrationOutcome.TooMany, refused.Outcome);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/push/x", false, "not one Tessera sends to")]
    [InlineData("https://10.0.0.5/push/x", true, "not one Tessera sends to")]
    [InlineData("https://fcm.googleapis.com.evil.example/push/x", true, "not one Tessera sends to")]
    [InlineData("https://user:pw@fcm.googleapis.com/push/x", true, "no valid endpoint")]
    [InlineData("not a url", true, "no valid endpoint")]
    public void Validate_RefusesEndpointsOutsideTheAllowedPushServices(string endpoint, bool allowLoopback, string error)
    {
        var valid = push.Service.Subscribe();

        var problem = PushDevices.Validate(new(endpoint, valid.P256dh, valid.Auth), new PushOptions { AllowLoopbackEndpoints = allowLoopback });

        Assert.Contains(error, problem);
    }

    [Fact]
    public void Validate_AcceptsAKnownPushService_AndRefusesKeysThatAreNotKeys()
    {
        var valid = push.Service.Subscribe();
        var offCurve = "B" + new string('A', 86);

        Assert.Null(PushDevices.Validate(new("https://fcm.googleapis.com/fcm/send/abc", valid.P256dh, valid.Auth), new PushOptions()));
        Assert.Null(PushDevices.Validate(new("https://web.push.apple.com/QAbc", valid.P256dh, valid.Auth), new PushOptions()));
        Assert.Contains("p256dh", PushDevices.Validate(new("https://fcm.googleapis.com/x", offCurve, valid.Auth), new PushOptions()));
        Assert.Contains("auth", PushDevices.Validate(new("https://fcm.googleapis.com/x", valid.P256dh, "AAAA"), new PushOptions()));
    }

    [Fact]
    public async Task TheVapidKey_IsMadeOnce_AndTheSameOnEveryNode()
    {
        var first = await push.Vapid.CurrentAsync();
        var otherNode = new VapidKeys(new SecretStore(push.Database.Factory, push.Database.Protection, push.Database.Time));

        var second = await otherNode.CurrentAsync();

        Assert.Equal(first, second);
        Assert.Equal(65, Convert.FromBase64String(Base64(first.PublicKey)).Length);
    }

    [Fact]
    public async Task ARotation_KeepsTheOldVapidKeyWhileADeviceUsesIt()
    {
        var (userId, deviceId, _) = await push.UserWithDeviceAsync();
        var before = await push.Vapid.CurrentAsync();
        var secret = new VapidSecret(push.Database.Factory);

        await push.Database.Secrets.AddVersionAsync(VapidKeys.SecretName, SecretRotation.KeyLength);
        var after = await push.Vapid.CurrentAsync();

        Assert.NotEqual(before.PublicKey, after.PublicKey);
        Assert.True(await secret.InUseAsync(before.Version, CancellationToken.None));
        Assert.Equal(before, await push.Vapid.VersionAsync(before.Version));
        await push.Factors.Lifecycle.RemoveAsync(userId, FactorKind.PushDevice, deviceId, push.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.RemovePushDevice));
        Assert.False(await secret.InUseAsync(before.Version, CancellationToken.None));
    }

    private static string Base64(string base64Url) =>
        base64Url.Replace('-', '+').Replace('_', '/') + new string('=', (4 - base64Url.Length % 4) % 4);
}
