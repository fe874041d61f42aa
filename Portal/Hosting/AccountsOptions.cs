using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Hosting;

/// <summary>The <c>Accounts</c> section: sign-in and lockout rules.</summary>
public sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>Failed passwords before the account locks.</summary>
    [Range(1, 100, ErrorMessage = "Accounts:MaxFailedAccessAttempts must be between 1 and 100.")]
    public int MaxFailedAccessAttempts { get; set; } = 5;

    [Range(1, 1440, ErrorMessage = "Accounts:LockoutMinutes must be between 1 and 1440.")]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Whether a new account must confirm its email address before it can sign in.</summary>
    public bool RequireConfirmedEmail { get; set; } = true;

    [Range(8, 128, ErrorMessage = "Accounts:MinimumPasswordLength must be between 8 and 128.")]
    public int MinimumPasswordLength { get; set; } = 10;

    /// <summary>How long a password reset link works (it works once either way).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00", ErrorMessage = "Accounts:ResetLinkLifetime must be between 00:05:00 and 1.00:00:00.")]
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);
}
