using System.ComponentModel.DataAnnotations;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Tests.Domain;

public sealed class SmsOptionsTests
{
    [Fact]
    public void Validate_TwilioWithoutCredentials_NamesEachMissingSetting()
    {
        var errors = Validate(new SmsOptions { Provider = "Twilio" });

        Assert.Contains(errors, e => e.Contains("Delivery:Sms:Twilio:AccountSid"));
        Assert.Contains(errors, e => e.Contains("Delivery:Sms:Twilio:AuthToken"));
        Assert.Contains(errors, e => e.Contains("Delivery:Sms:Twilio:From"));
    }

    [Fact]
    public void Validate_TwilioWithMessagingServiceInsteadOfFrom_IsValid()
    {
        var options = new SmsOptions { Provider = "Twilio" };
        options.Twilio.AccountSid = "AC1";
        options.Twilio.AuthToken = "token";
        options.Twilio.MessagingServiceSid = "MG1";

        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Validate_GatewayWithoutUrl_NamesTheUrl()
    {
        Assert.Contains(Validate(new SmsOptions { Provider = "Gateway" }), e => e.Contains("Delivery:Sms:Gateway:Url"));
    }

    [Fact]
    public void Validate_GatewayWithHeaderNameButNoValue_IsRefused()
    {
        var options = new SmsOptions { Provider = "Gateway" };
        options.Gateway.Url = "https://sms.example.com/send";
        options.Gateway.AuthHeaderName = "X-Api-Key";

        Assert.Contains(Validate(options), e => e.Contains("AuthHeaderValue"));
    }

    [Fact]
    public void Validate_UnknownProvider_IsRefused()
    {
        Assert.Contains(Validate(new SmsOptions { Provider = "Pigeon" }), e => e.Contains("Delivery:Sms:Provider is 'Pigeon'"));
    }

    private static List<string> Validate(SmsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
