using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Delivery;

/// <summary>
/// A generic SMS gateway over HTTP: POST <c>{ "to", "text", "reference" }</c> as JSON with a configured auth header.
/// 2xx means handed off; anything else, or no answer within Delivery:Sms:Timeout, is a failed attempt.
/// </summary>
internal sealed class GatewaySmsChannel(IHttpClientFactory http, IOptions<SmsOptions> options) : IMessageChannel
{
    public string Name => SmsOptions.GatewayProvider;

    public Channel Kind => Channel.Sms;

    public bool KeepsBody => false;

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value.Gateway;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = JsonContent.Create(new GatewayMessage(message.Recipient, message.TextBody ?? "", message.Id.ToString())),
        };
        if (!string.IsNullOrWhiteSpace(settings.AuthHeaderName))
        {
            request.Headers.TryAddWithoutValidation(settings.AuthHeaderName, settings.AuthHeaderValue);
        }
        // The same key on every attempt: a gateway that honours it drops a retry of a send it already accepted.
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.Id.ToString());
        await SmsHttp.SendAsync(http, request, "Gateway", cancellationToken);
    }

    private sealed record GatewayMessage(
        [property: System.Text.Json.Serialization.JsonPropertyName("to")] string To,
        [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text,
        [property: System.Text.Json.Serialization.JsonPropertyName("reference")] string Reference);
}

/// <summary>Sends a provider request and turns every kind of failure into a message fit for admins (no body).</summary>
internal static class SmsHttp
{
    public static async Task SendAsync(IHttpClientFactory http, HttpRequestMessage request, string provider, CancellationToken cancellationToken)
    {
        var client = http.CreateClient(SmsOptions.HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryFailedException($"{provider}: no answer within {client.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            throw new DeliveryFailedException($"{provider}: unreachable ({ex.HttpRequestError}).");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // The status only: a provider's error text may quote the number or the message.
                throw new DeliveryFailedException($"{provider}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
        }
    }
}
