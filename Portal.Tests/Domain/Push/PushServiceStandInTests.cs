using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

/// <summary>
/// The push service stand-in the other push tests rely on: a real sender (Lib.Net.Http.WebPush) gets through it,
/// decrypted and VAPID-valid, and it answers what a test scripts (429, 410, 404).
/// </summary>
public sealed class PushServiceStandInTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PushServiceClient_SendingToAFakeSubscription_ArrivesDecryptedWithValidVapidTtlAndUrgency()
    {
        await using var service = await FakePushService.StartAsync();
        var subscription = service.Subscribe();
        using var vapidKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var authentication = LibraryVapid(vapidKey);
        using var http = new HttpClient();
        var client = new PushServiceClient(http);
        const string content = """{"title":"Sign-in request","body":"Approve the sign-in from Firefox on Linux?"}""";
        var before = DateTimeOffset.UtcNow;

        await client.RequestPushMessageDeliveryAsync(
            LibrarySubscription(subscription),
            new PushMessage(content) { TimeToLive = 60, Urgency = PushMessageUrgency.High },
            authentication);

        var request = Assert.Single(service.Requests);
        Assert.Equal((subscription.Id, 201), (request.SubscriptionId, request.Status));
        Assert.Null(request.DecryptError);
        Assert.Equal(content, request.Plaintext);
        Assert.True(request.Vapid.Valid, request.Vapid.Error);
        Assert.Equal(WebPushCryptoTests.PublicKeyText(vapidKey), request.Vapid.PublicKey);
        Assert.Equal("mailto:ops@example.com", request.Vapid.Subject);
        Assert.Equal("60", request.Header("TTL"));
        Assert.Equal("high", request.Header("Urgency"));
        Assert.Equal("aes128gcm", request.Header("Content-Encoding"));
        // What the library puts in its token: aud is scheme://host (no port), exp is 12 hours ahead.
        Assert.Equal("http://127.0.0.1", request.Vapid.Audience);
        Assert.InRange(request.Vapid.Expires!.Value, before.AddHours(12).AddSeconds(-2), DateTimeOffset.UtcNow.AddHours(12).AddSeconds(2));
    }

    [Fact]
    public async Task PushServiceClient_ForgottenSubscription_ThrowsWithStatus410()
    {
        await using var service = await FakePushService.StartAsync();
        var subscription = service.Subscribe();
        service.Forget(subscription.Id);
        using var vapidKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var authentication = LibraryVapid(vapidKey);
        using var http = new HttpClient();
        var client = new PushServiceClient(http);

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() => client.RequestPushMessageDeliveryAsync(
            LibrarySubscription(subscription),
            new PushMessage("gone") { TimeToLive = 60, Urgency = PushMessageUrgency.High },
            authentication));

        Assert.Equal(HttpStatusCode.Gone, error.StatusCode);
        Assert.Equal(410, Assert.Single(service.Requests).Status);
    }

    [Fact]
    public async Task FakePushService_ScriptedAnswer_IsWhatTheSenderGets()
    {
        await using var service = await FakePushService.StartAsync();
        service.Respond = (_, count) => count == 1 ? 429 : 201;
        var subscription = service.Subscribe();
        using var vapidKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var authentication = LibraryVapid(vapidKey);
        using var http = new HttpClient();
        var client = new PushServiceClient(http);

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() => client.RequestPushMessageDeliveryAsync(
            LibrarySubscription(subscription), new PushMessage("first"), authentication));
        await client.RequestPushMessageDeliveryAsync(LibrarySubscription(subscription), new PushMessage("second"), authentication);

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        var seen = await service.WaitAsync(r => r.Count == 2, Patience);
        Assert.Equal([(429, "first"), (201, "second")], seen.Select(r => (r.Status, r.Plaintext)).ToArray());
    }

    [Fact]
    public async Task FakePushService_UnknownSubscription_Answers404()
    {
        await using var service = await FakePushService.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(service.BaseUrl, "push/nobody"), new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var request = Assert.Single(await service.WaitAsync(r => r.Count == 1, Patience));
        Assert.Equal(("nobody", 404), (request.SubscriptionId, request.Status));
    }

    [Fact]
    public async Task FakePushService_BodyInAnotherContentEncoding_IsRecordedWithADecryptError()
    {
        await using var service = await FakePushService.StartAsync();
        var subscription = service.Subscribe();
        using var http = new HttpClient();
        using var body = new ByteArrayContent(WebPushCryptoTests.Bytes(WebPushCryptoTests.RfcBody));
        body.Headers.ContentEncoding.Add("aesgcm");

        using var response = await http.PostAsync(subscription.Endpoint, body);

        var request = Assert.Single(await service.WaitAsync(r => r.Count == 1, Patience));
        Assert.Null(request.Plaintext);
        Assert.Contains("aes128gcm", request.DecryptError);
        Assert.False(request.Vapid.Valid);
    }

    private static VapidAuthentication LibraryVapid(ECDsa key) =>
        new(WebPushCryptoTests.PublicKeyText(key), Base64Url.EncodeToString(key.ExportParameters(true).D!)) { Subject = "mailto:ops@example.com" };

    private static PushSubscription LibrarySubscription(FakeSubscription subscription) => new()
    {
        Endpoint = subscription.Endpoint,
        Keys = new Dictionary<string, string> { ["p256dh"] = subscription.P256dh, ["auth"] = subscription.Auth },
    };
}
