using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Delivery;

/// <summary>The <c>Delivery</c> section: how the drain claims, sends and retries (SMS providers: <c>Delivery:Sms</c>).</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Delivery";

    /// <summary>
    /// Waits between attempts on one channel: a channel gets <c>RetryDelays.Length + 1</c> attempts before the next
    /// channel of the fallback order is tried. Empty here: the defaults live in appsettings.json, because the
    /// configuration binder appends to an array that already has items.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Messages one drain claims at a time.</summary>
    [Range(1, 1000, ErrorMessage = "Delivery:BatchSize must be between 1 and 1000.")]
    public int BatchSize { get; set; } = 100;

    /// <summary>Sends in flight at once per drain.</summary>
    [Range(1, 256, ErrorMessage = "Delivery:MaxParallelSends must be between 1 and 256.")]
    public int MaxParallelSends { get; set; } = 16;

    /// <summary>How long a claim holds before another drain may take the message over (its worker died).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Delivery:Lease must be between 00:00:05 and 01:00:00.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryDelays.Length > 20 || RetryDelays.Any(d => d < TimeSpan.Zero || d > TimeSpan.FromDays(1)))
        {
            yield return new ValidationResult(
                "Delivery:RetryDelays must hold at most 20 delays, each between 00:00:00 and 1.00:00:00.", [nameof(RetryDelays)]);
        }
    }
}
