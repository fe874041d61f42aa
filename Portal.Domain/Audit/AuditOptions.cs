using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Audit;

/// <summary>The <c>Audit</c> section: how long events are kept.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Events older than this many days are deleted by the retention job; 0 keeps every event forever.</summary>
    [Range(0, 36500, ErrorMessage = "Audit:RetentionDays must be between 0 (keep forever) and 36500.")]
    public int RetentionDays { get; set; } = 365;
}
