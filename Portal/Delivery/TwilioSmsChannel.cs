using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Delivery;

/// <summary>Twilio's Messages REST API: POST form-encoded To, From (or MessagingServiceSid) and Body, HTTP Basic auth.</summary>
internal sealed class TwilioSmsChannel(IHttpClientFactory http, IOptions<SmsOptions> options) : IMessageChannel
{
    public string Name => SmsOptions.TwilioProvider;

    public Channel Kind => Channel.Sms;

    public bool KeepsBody => false;

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value.Twilio;
        var fields = new Dictionary<string, string> { ["To"] = message.Recipient, ["Body"] = message.TextBody ?? "" };
        if (!string.IsNullOrWhiteSpace(settings.MessagingServiceSid))
        {
            fields["MessagingServiceSid"] = settings.MessagingServiceSid;
        }
        else
        {
            fields["From"] = settings.From!;
        }
        var url = $"{settings.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(settings.AccountSid!)}/Messages.json";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.AccountSid}:{settings.AuthToken}")));
        await SmsHttp.SendAsync(http, request, "Twilio", cancellationToken);
    }
}
