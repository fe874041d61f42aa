using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Retention;

/// <summary>The <c>Retention</c> section: how long rows that hold personal data are kept once they are finished.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>One-time-code challenges, with their messages and delivery attempts: days after the challenge closed.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:ChallengeDays must be between 1 and 3650.")]
    public int ChallengeDays { get; set; } = 30;

    /// <summary>Other messages (account emails) and their attempts: days after they were sent or given up.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:MessageDays must be between 1 and 3650.")]
    public int MessageDays { get; set; } = 30;

    /// <summary>QR sign-in sessions: days after they expired.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:QrSessionDays must be between 1 and 3650.")]
    public int QrSessionDays { get; set; } = 7;

    /// <summary>Push approval requests (sign-ins and API verifications): days after they expired.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:PushApprovalDays must be between 1 and 3650.")]
    public int PushApprovalDays { get; set; } = 7;
}
