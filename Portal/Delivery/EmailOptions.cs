using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Delivery;

/// <summary>The <c>Email</c> section: how Tessera sends mail.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";
    public const string OutboxTransport = "Outbox";
    public const string SmtpTransport = "Smtp";

    /// <summary>"Smtp" sends through the server below; "Outbox" keeps mail in the database for /dev/outbox (Development only).</summary>
    public string Transport { get; set; } = OutboxTransport;

    [Required(ErrorMessage = "Email:From must be set, for example \"Tessera <no-reply@example.com>\".")]
    public string From { get; set; } = "Tessera <no-reply@localhost>";

    public SmtpSettings Smtp { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Transport, OutboxTransport, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Transport, SmtpTransport, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"Email:Transport is '{Transport}'; it must be 'Smtp' or 'Outbox'.");
        }
        if (string.Equals(Transport, SmtpTransport, StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(Smtp.Host))
        {
            yield return new ValidationResult("Email:Smtp:Host is required when Email:Transport is 'Smtp'.");
        }
        if (!IsMailbox(From))
        {
            yield return new ValidationResult($"Email:From '{From}' is not a valid mailbox address.");
        }
        if (Smtp.Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Email:Smtp:Port must be between 1 and 65535.");
        }
    }

    private static readonly MimeKit.ParserOptions StrictAddresses = new() { AddressParserComplianceMode = MimeKit.RfcComplianceMode.Strict };

    // MimeKit's default parser is lenient ("nobody" or an unclosed "<a@b" pass); a sender must be a whole address.
    private static bool IsMailbox(string? value) =>
        MimeKit.MailboxAddress.TryParse(StrictAddresses, value, out var mailbox)
        && mailbox.Address.IndexOf('@') is > 0 and var at
        && at < mailbox.Address.Length - 1;

    public sealed class SmtpSettings
    {
        public string? Host { get; set; }

        public int Port { get; set; } = 587;

        /// <summary>MailKit's SecureSocketOptions: Auto, None, StartTls, StartTlsWhenAvailable or SslOnConnect.</summary>
        public MailKit.Security.SecureSocketOptions Security { get; set; } = MailKit.Security.SecureSocketOptions.Auto;

        public string? UserName { get; set; }

        public string? Password { get; set; }
    }
}
