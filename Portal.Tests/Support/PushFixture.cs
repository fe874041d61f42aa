using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors.Push;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// Push devices and approvals over a test database, delivered by the real delivery engine and Web Push channel to an
/// in-process push service (<see cref="FakePushService"/>) that decrypts every payload and checks its VAPID token.
/// </summary>
public sealed class PushFixture : IAsyncDisposable
{
    public static readonly ClientDevice Laptop = new("203.0.113.7", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
    public static readonly ClientDevice Phone = new("198.51.100.9", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36");

    private PushFixture(FactorsFixture factors, FakePushService service, TimeSpan[] retryDelays)
    {
        Factors = factors;
        Service = service;
        var options = Options.Create(Settings);
        Vapid = new VapidKeys(Database.Secrets);
        Devices = new PushDevices(Database.Factory, factors.Lifecycle, Vapid, Database.AuditLog, options, Database.Time);
        Approvals = new PushApprovals(Database.Factory, Devices, new MessageQueue(Database.Factory, Database.Time), NoDeliveryTrigger.Instance,
            Database.AuditLog, Database.Pseudonymizer, Database.Notices, new SecurityNoticeSettings("Tessera"), options, Database.Time);
        Passwordless = new PushPasswordless(Database.Factory, Approvals, Database.AuditLog, Database.Pseudonymizer, options, Database.Time);
        Channel = new WebPushChannel(new OneClientFactory(), Devices, Vapid, options, Database.Time, NullLogger<WebPushChannel>.Instance);
        Engine = new DeliveryEngine(Database.Factory, [Channel], new FixedPolicies(), Options.Create(new DeliveryOptions { RetryDelays = retryDelays }), Database.Time);
    }

    public FactorsFixture Factors { get; }

    public TestDatabase Database => Factors.Database;

    public PushOptions Settings { get; } = new() { AllowLoopbackEndpoints = true };

    public FakePushService Service { get; }

    public VapidKeys Vapid { get; }

    public PushDevices Devices { get; }

    public PushApprovals Approvals { get; }

    public PushPasswordless Passwordless { get; }

    internal WebPushChannel Channel { get; }

    public DeliveryEngine Engine { get; }

    public static async Task<PushFixture> CreateAsync(params TimeSpan[] retryDelays) =>
        new(await FactorsFixture.CreateAsync(), await FakePushService.StartAsync(), retryDelays);

    /// <summary>A user with one push device subscribed at the stand-in.</summary>
    public async Task<(string UserId, Guid DeviceId, FakeSubscription Subscription)> UserWithDeviceAsync(string email = "ada@example.com", string name = "Pixel 8")
    {
        var userId = await Factors.AddUserAsync(email);
        var (deviceId, subscription) = await AddDeviceAsync(userId, name, proof: null);
        return (userId, deviceId, subscription);
    }

    public async Task<(Guid DeviceId, FakeSubscription Subscription)> AddDeviceAsync(string userId, string name, StepUpProof? proof)
    {
        var subscription = Service.Subscribe();
        var added = await Devices.RegisterAsync(userId, new PushSubscriptionInput(subscription.Endpoint, subscription.P256dh, subscription.Auth), name, Phone.UserAgent, proof);
        Assert.Equal(PushRegistrationOutcome.Added, added.Outcome);
        return (added.Id!.Value, subscription);
    }

    public StepUpProof AddFactorProof(string userId) => Database.StepUpProofs.Issue(userId, StepUpPurposes.AddFactor);

    public async Task<PushRequested> RequestSignInAsync(string userId, Guid? deviceId = null)
    {
        var result = await Approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.SignIn, deviceId, Laptop));
        Assert.Equal(PushRequestOutcome.Sent, result.Outcome);
        return result.Request!;
    }

    /// <summary>Delivers what is due and returns the link token the push carried (decrypted at the stand-in).</summary>
    public async Task<string> DeliverAndReadTokenAsync()
    {
        var before = Service.Requests.Count;
        await Engine.DrainAsync();
        var push = (await Service.WaitAsync(r => r.Count > before, TimeSpan.FromSeconds(10)))[^1];
        Assert.Null(push.DecryptError);
        using var json = System.Text.Json.JsonDocument.Parse(push.Plaintext!);
        var url = json.RootElement.GetProperty("url").GetString()!;
        Assert.StartsWith("/push/", url);
        return url["/push/".Length..];
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Factors.DisposeAsync();
    }

    private sealed class OneClientFactory : IHttpClientFactory
    {
        private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };

        public HttpClient CreateClient(string name) => client;
    }
}
