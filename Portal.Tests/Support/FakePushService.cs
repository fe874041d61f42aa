using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A browser's push subscription as the application server gets it from <c>PushSubscription.toJSON()</c>: the
/// endpoint, the user agent's P-256 public key and the auth secret (both base64url without padding).
/// </summary>
public sealed record FakeSubscription(string Id, string Endpoint, string P256dh, string Auth);

/// <summary>One push request as the fake push service received it, opened with the subscription's private key.</summary>
/// <param name="SubscriptionId">The <c>{id}</c> of <c>/push/{id}</c>.</param>
/// <param name="Headers">The request headers (names case-insensitive).</param>
/// <param name="Body">The body as sent: an <c>aes128gcm</c> record, or empty for a push without payload.</param>
/// <param name="Plaintext">The decrypted body as UTF-8; null when there was none or it did not open.</param>
/// <param name="DecryptError">Why the body did not open (unknown subscription, wrong Content-Encoding, bad crypto, not UTF-8).</param>
/// <param name="Vapid">The check of the <c>Authorization: vapid</c> header against the endpoint's origin, at arrival.</param>
/// <param name="Status">The status the service answered.</param>
public sealed record ReceivedPush(
    string SubscriptionId,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string? Plaintext,
    string? DecryptError,
    VapidCheck Vapid,
    int Status)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A Web Push service (RFC 8030) on a free loopback port in the test process (a minimal Kestrel app). It hands out
/// subscriptions whose private keys it keeps, so every push to <c>POST /push/{id}</c> is recorded decrypted
/// (RFC 8291) with its VAPID check (RFC 8292), and answered what <see cref="Respond"/> says (201 Created by
/// default). An unknown subscription gets 404 and a <see cref="Forget">forgotten</see> one 410 Gone, as a real
/// service answers for expired or unsubscribed ones. A bad body or a failed VAPID check is recorded, not refused:
/// tests assert on <see cref="ReceivedPush.DecryptError"/> and <see cref="ReceivedPush.Vapid"/>, or script a refusal.
/// </summary>
public sealed class FakePushService : IAsyncDisposable
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Subscriber> subscribers = new();
    private readonly ConcurrentDictionary<string, bool> forgotten = new();
    private readonly ConcurrentQueue<ReceivedPush> requests = new();
    private int arrived;

    private FakePushService(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// Status for a push to a live subscription, given the request (its <see cref="ReceivedPush.Status"/> still 0) and
    /// how many pushes (this one included, any subscription) have arrived. Not asked for 404 and 410.
    /// </summary>
    public Func<ReceivedPush, int, int> Respond { get; set; } = (_, _) => StatusCodes.Status201Created;

    /// <summary>Every push received so far, in arrival order, with the status it was answered.</summary>
    public IReadOnlyList<ReceivedPush> Requests => requests.ToList();

    public static async Task<FakePushService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new FakePushService(app);
        app.MapPost("/push/{id}", (RequestDelegate)service.HandleAsync);
        await app.StartAsync();
        service.BaseUrl = new Uri(app.Urls.First());
        return service;
    }

    /// <summary>A new subscription: a fresh P-256 key pair and 16 random auth bytes, kept here to open its pushes.</summary>
    public FakeSubscription Subscribe()
    {
        var id = Guid.NewGuid().ToString("N");
        var keys = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        var q = keys.ExportParameters(false).Q;
        byte[] publicKey = [0x04, .. q.X!, .. q.Y!];
        subscribers[id] = new Subscriber(keys, auth);
        return new FakeSubscription(id, $"{BaseUrl}push/{id}", Base64Url.EncodeToString(publicKey), Base64Url.EncodeToString(auth));
    }

    /// <summary>Ends a subscription as an unsubscribing browser does: later pushes to it are answered 410 Gone.</summary>
    public void Forget(string id)
    {
        if (!subscribers.ContainsKey(id))
        {
            throw new ArgumentException($"The fake push service never made subscription '{id}'.", nameof(id));
        }
        forgotten[id] = true;
    }

    /// <summary>Polls (bounded) until <paramref name="done"/> holds for the pushes received so far.</summary>
    public async Task<IReadOnlyList<ReceivedPush>> WaitAsync(Func<IReadOnlyList<ReceivedPush>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var seen = Requests;
            if (done(seen))
            {
                return seen;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The fake push service did not see what the test waited for within {timeout}; it saw {requests.Count} push(es).");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

        var vapid = WebPushCrypto.CheckVapid(headers.GetValueOrDefault("Authorization"), BaseUrl.GetLeftPart(UriPartial.Authority), DateTimeOffset.UtcNow);
        var (plaintext, decryptError) = Open(id, headers.GetValueOrDefault("Content-Encoding"), body);
        var request = new ReceivedPush(id, headers, body, plaintext, decryptError, vapid, 0);
        var count = Interlocked.Increment(ref arrived);
        var status = !subscribers.ContainsKey(id) ? StatusCodes.Status404NotFound
            : forgotten.ContainsKey(id) ? StatusCodes.Status410Gone
            : Respond(request, count);
        requests.Enqueue(request with { Status = status });

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status201Created)
        {
            // RFC 8030 §5: the push service names the push message resource it made.
            context.Response.Headers.Location = $"{BaseUrl}message/{Guid.NewGuid():N}";
        }
    }

    private (string? Plaintext, string? Error) Open(string id, string? contentEncoding, byte[] body)
    {
        if (!subscribers.TryGetValue(id, out var subscriber))
        {
            return (null, $"The fake push service has no subscription '{id}'.");
        }
        if (body.Length == 0 && contentEncoding is null)
        {
            return (null, null); // a push without payload (RFC 8030 §5)
        }
        if (!string.Equals(contentEncoding, "aes128gcm", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"The Content-Encoding is '{contentEncoding ?? "(none)"}', not aes128gcm (RFC 8291 §4).");
        }
        byte[] opened;
        try
        {
            lock (subscriber)
            {
                opened = WebPushCrypto.Decrypt(body, subscriber.Keys, subscriber.Auth);
            }
        }
        catch (CryptographicException e)
        {
            return (null, e.Message);
        }
        try
        {
            return (StrictUtf8.GetString(opened), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, $"The body decrypted to {opened.Length} bytes that are not UTF-8.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        foreach (var subscriber in subscribers.Values)
        {
            subscriber.Keys.Dispose();
        }
    }

    private sealed record Subscriber(ECDiffieHellman Keys, byte[] Auth);
}
