using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Domain.Contacts;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors.Push;

namespace Tessera.Portal.Delivery;

/// <summary>
/// Web Push (RFC 8030) through Lib.Net.Http.WebPush: the payload encrypted to the browser's key (aes128gcm, RFC 8291)
/// and the request signed with the VAPID key the device subscribed with (RFC 8292). The TTL is what is left of the
/// approval's life, so a push service never delivers a request that can no longer be answered. 404 and 410 mean the
/// subscription is gone: the device is removed and the message is not retried. 429, 5xx and no answer are retried.
/// </summary>
internal sealed partial class WebPushChannel(
    IHttpClientFactory http, PushDevices devices, VapidKeys vapid, IOptions<PushOptions> options, TimeProvider time, ILogger<WebPushChannel> logger)
    : IMessageChannel
{
    public const string HttpClientName = "push";

    public string Name => "WebPush";

    public Channel Kind => Channel.Push;

    public bool KeepsBody => false;

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.Recipient, out var deviceId) || await devices.TargetAsync(deviceId, cancellationToken) is not { } target)
        {
            throw new DeliveryFailedException("The push device was removed.", permanent: true);
        }
        var payload = message.TextBody ?? "{}";
        var ttl = TimeToLive(payload);
        if (ttl <= 0)
        {
            throw new DeliveryFailedException("The request expired before it could be pushed.", permanent: true);
        }
        if (PushDevices.Validate(new PushSubscriptionInput(target.Endpoint, target.P256dh, target.Auth), options.Value) is { } invalid)
        {
            // The allowed push services may have changed since the device registered.
            throw new DeliveryFailedException(invalid, permanent: true);
        }
        if (await vapid.VersionAsync(target.VapidVersion, cancellationToken) is not { } key)
        {
            throw new DeliveryFailedException("The key this device subscribed with was retired; it must be registered again.", permanent: true);
        }
        var subscription = new PushSubscription
        {
            Endpoint = target.Endpoint,
            Keys = new Dictionary<string, string> { ["p256dh"] = target.P256dh, ["auth"] = target.Auth },
        };
        using var authentication = new VapidAuthentication(key.PublicKey, key.PrivateKey) { Subject = options.Value.Subject };
        // Retries are the delivery engine's (recorded, with backoff), not the library's.
        var client = new PushServiceClient(http.CreateClient(HttpClientName)) { AutoRetryAfter = false };
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription,
                new PushMessage(payload) { TimeToLive = ttl, Urgency = PushMessageUrgency.High }, authentication, VapidAuthenticationScheme.Vapid, cancellationToken);
        }
        catch (PushServiceClientException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            LogGone(logger, deviceId, (int)ex.StatusCode);
            await devices.GoneAsync(deviceId, $"the push service answered {(int)ex.StatusCode}", cancellationToken);
            throw new DeliveryFailedException($"The push service answered {(int)ex.StatusCode}: the subscription is gone, so the device was removed.", permanent: true);
        }
        catch (PushServiceClientException ex)
        {
            var code = (int)ex.StatusCode;
            // Too many requests and server errors pass; anything else (a refused key, a malformed request) will not.
            throw new DeliveryFailedException($"The push service answered {code}.", permanent: code is not (429 or >= 500));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryFailedException($"The push service did not answer within {options.Value.SendTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            throw new DeliveryFailedException($"The push service is unreachable ({ex.HttpRequestError}).");
        }
        await devices.UsedAsync(deviceId, cancellationToken);
    }

    /// <summary>Seconds until the payload's <c>expiresAt</c> (Unix milliseconds); the push must not outlive it.</summary>
    private int TimeToLive(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            if (json.RootElement.TryGetProperty("expiresAt", out var expires) && expires.TryGetInt64(out var ms))
            {
                return (int)Math.Floor((DateTimeOffset.FromUnixTimeMilliseconds(ms) - time.GetUtcNow()).TotalSeconds);
            }
        }
        catch (JsonException)
        {
        }
        return 0;
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Push device {DeviceId} removed: the push service answered {Status}.")]
    private static partial void LogGone(ILogger logger, Guid deviceId, int status);
}
