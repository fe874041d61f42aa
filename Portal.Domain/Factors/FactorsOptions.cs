using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Factors;

/// <summary>The <c>Factors</c> section: policy for second factors.</summary>
public sealed class FactorsOptions
{
    public const string Section = "Factors";

    /// <summary>Time steps accepted either side of now for an authenticator code (clock drift, typing time).</summary>
    [Range(0, 2, ErrorMessage = "Factors:TotpWindow must be 0, 1 or 2 (steps of 30 seconds either side).")]
    public int TotpWindow { get; set; } = 1;

    /// <summary>The issuer shown in authenticator apps; empty means Tessera:ApplicationName.</summary>
    [StringLength(64, ErrorMessage = "Factors:TotpIssuer must be at most 64 characters.")]
    public string? TotpIssuer { get; set; }

    [Range(5, 20, ErrorMessage = "Factors:RecoveryCodeCount must be between 5 and 20.")]
    public int RecoveryCodeCount { get; set; } = 10;
}
