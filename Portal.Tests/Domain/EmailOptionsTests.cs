using System.ComponentModel.DataAnnotations;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Tests.Domain;

public sealed class EmailOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new EmailOptions();

        var results = Validate(options, out var valid);

        Assert.True(valid);
        Assert.Empty(results);
    }

    [Fact]
    public void Validate_SmtpWithoutHost_FailsNamingEmailSmtpHost()
    {
        var options = new EmailOptions { Transport = "Smtp", Smtp = new EmailOptions.SmtpSettings { Host = null } };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Email:Smtp:Host", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_SmtpWithHost_Passes()
    {
        var options = new EmailOptions { Transport = "Smtp", Smtp = new EmailOptions.SmtpSettings { Host = "mail.example.com" } };

        var results = Validate(options, out var valid);

        Assert.True(valid);
        Assert.Empty(results);
    }

    [Fact]
    public void Validate_UnknownTransport_FailsNamingEmailTransport()
    {
        var options = new EmailOptions { Transport = "Carrier pigeon" };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        var message = Assert.Single(results).ErrorMessage;
        Assert.Contains("Email:Transport", message);
        Assert.Contains("Carrier pigeon", message);
    }

    [Theory]
    [InlineData("<>@@")]
    [InlineData("not an address")]
    [InlineData("no-reply@")]
    [InlineData("@example.com")]
    [InlineData("a@b@c")]
    [InlineData("nobody")]
    [InlineData("Tessera <no-reply@example.com")]
    public void Validate_InvalidFrom_FailsNamingEmailFrom(string from)
    {
        var options = new EmailOptions { From = from };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Email:From", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_EmptyFrom_FailsNamingEmailFrom()
    {
        var options = new EmailOptions { From = "" };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Email:From", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_PortOutOfRange_FailsNamingEmailSmtpPort()
    {
        var options = new EmailOptions { Smtp = new EmailOptions.SmtpSettings { Port = 70000 } };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Email:Smtp:Port", Assert.Single(results).ErrorMessage);
    }

    private static List<ValidationResult> Validate(EmailOptions options, out bool valid)
    {
        var results = new List<ValidationResult>();
        valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
