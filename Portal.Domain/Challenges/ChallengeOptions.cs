using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Challenges;

/// <summary>The <c>Challenges</c> section: policy for one-time codes sent by SMS or email.</summary>
public sealed class ChallengeOptions
{
    public const string Section = "Challenges";

    [Range(6, 10, ErrorMessage = "Challenges:CodeLength must be between 6 and 10 digits.")]
    public int CodeLength { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:01:00", "01:00:00", ErrorMessage = "Challenges:Lifetime must be between 00:01:00 and 01:00:00.")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(1, 10, ErrorMessage = "Challenges:MaxChecks must be between 1 and 10.")]
    public int MaxChecks { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Challenges:ResendCooldown must be between 00:00:00 and 00:10:00.")]
    public TimeSpan ResendCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages per challenge, the first one included.</summary>
    [Range(1, 10, ErrorMessage = "Challenges:MaxSends must be between 1 and 10.")]
    public int MaxSends { get; set; } = 5;
}
