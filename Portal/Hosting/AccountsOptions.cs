using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Hosting;

/// <summary>The <c>Accounts</c> section: sign-in and lockout rules.</summary>
public sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>Failed passwords from one network (IPv4 /24, IPv6 /48) before the account locks for that network.</summary>
    [Range(1, 100, ErrorMessage = "Accounts:MaxFailedAccessAttempts must be between 1 and 100.")]
    public int MaxFailedAccessAttempts { get; set; } = 5;

    [Range(1, 1440, ErrorMessage = "Accounts:LockoutMinutes must be between 1 and 1440.")]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Consecutive failed attempts from every network together before the account locks everywhere for a day.</summary>
    [Range(1, 10000, ErrorMessage = "Accounts:MaxFailedAttemptsPerDay must be between 1 and 10000.")]
    public int MaxFailedAttemptsPerDay { get; set; } = 100;

    /// <summary>Failed sign-ins from one network, at any accounts, in an hour before its sign-in pages answer 429.</summary>
    [Range(1, 100000, ErrorMessage = "Accounts:MaxFailuresPerNetworkPerHour must be between 1 and 100000.")]
    public int MaxFailuresPerNetworkPerHour { get; set; } = 50;

    /// <summary>Whether a new account must confirm its email address before it can sign in.</summary>
    public bool RequireConfirmedEmail { get; set; } = true;

    [Range(8, 128, ErrorMessage = "Accounts:MinimumPasswordLength must be between 8 and 128.")]
    public int MinimumPasswordLength { get; set; } = 10;

    /// <summary>How long a password reset link works (it works once either way).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00", ErrorMessage = "Accounts:ResetLinkLifetime must be between 00:05:00 and 1.00:00:00.")]
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);
}
