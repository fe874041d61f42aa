using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Delivery;

/// <summary>The <c>Delivery:Sms</c> section: which provider sends text messages, and its settings.</summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "Delivery:Sms";
    public const string HttpClientName = "sms";
    public const string OutboxProvider = "Outbox";
    public const string GatewayProvider = "Gateway";
    public const string TwilioProvider = "Twilio";
    public const string NoProvider = "None";

    /// <summary>"Outbox" (Development only), "Gateway" (generic HTTP), "Twilio", or "None" (SMS falls back or fails).</summary>
    public string Provider { get; set; } = OutboxProvider;

    [Range(typeof(TimeSpan), "00:00:01", "00:02:00", ErrorMessage = "Delivery:Sms:Timeout must be between 00:00:01 and 00:02:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public GatewaySettings Gateway { get; set; } = new();

    public TwilioSettings Twilio { get; set; } = new();

    public bool Is(string provider) => string.Equals(Provider, provider, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!new[] { OutboxProvider, GatewayProvider, TwilioProvider, NoProvider }.Any(Is))
        {
            yield return new ValidationResult($"Delivery:Sms:Provider is '{Provider}'; it must be 'Outbox', 'Gateway', 'Twilio' or 'None'.");
        }
        if (Is(GatewayProvider) && !IsHttpUrl(Gateway.Url))
        {
            yield return new ValidationResult("Delivery:Sms:Gateway:Url must be an absolute http(s) URL when Delivery:Sms:Provider is 'Gateway'.");
        }
        if (Is(GatewayProvider) && string.IsNullOrWhiteSpace(Gateway.AuthHeaderName) != string.IsNullOrWhiteSpace(Gateway.AuthHeaderValue))
        {
            yield return new ValidationResult("Delivery:Sms:Gateway:AuthHeaderName and Delivery:Sms:Gateway:AuthHeaderValue must be set together.");
        }
        if (Is(TwilioProvider))
        {
            if (string.IsNullOrWhiteSpace(Twilio.AccountSid))
            {
                yield return new ValidationResult("Delivery:Sms:Twilio:AccountSid must be set when Delivery:Sms:Provider is 'Twilio'.");
            }
            if (string.IsNullOrWhiteSpace(Twilio.AuthToken))
            {
                yield return new ValidationResult("Delivery:Sms:Twilio:AuthToken must be set when Delivery:Sms:Provider is 'Twilio'.");
            }
            if (string.IsNullOrWhiteSpace(Twilio.From) && string.IsNullOrWhiteSpace(Twilio.MessagingServiceSid))
            {
                yield return new ValidationResult("Delivery:Sms:Twilio:From (or Delivery:Sms:Twilio:MessagingServiceSid) must be set when Delivery:Sms:Provider is 'Twilio'.");
            }
            if (!IsHttpUrl(Twilio.BaseUrl))
            {
                yield return new ValidationResult("Delivery:Sms:Twilio:BaseUrl must be an absolute http(s) URL.");
            }
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public sealed class GatewaySettings
    {
        public string? Url { get; set; }

        /// <summary>For example "Authorization" or "X-Api-Key".</summary>
        public string? AuthHeaderName { get; set; }

        public string? AuthHeaderValue { get; set; }
    }

    public sealed class TwilioSettings
    {
        public string BaseUrl { get; set; } = "https://api.twilio.com";

        public string? AccountSid { get; set; }

        public string? AuthToken { get; set; }

        /// <summary>The sending number in E.164.</summary>
        public string? From { get; set; }

        /// <summary>Used instead of <see cref="From"/> when set.</summary>
        public string? MessagingServiceSid { get; set; }
    }
}
