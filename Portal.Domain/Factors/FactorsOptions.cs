using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Factors;

/// <summary>The <c>Factors</c> section. The TOTP window is a run-time policy (Policies:Otp:TotpWindow).</summary>
public sealed class FactorsOptions
{
    public const string Section = "Factors";

    /// <summary>The issuer shown in authenticator apps; empty means Tessera:ApplicationName.</summary>
    [StringLength(64, ErrorMessage = "Factors:TotpIssuer must be at most 64 characters.")]
    public string? TotpIssuer { get; set; }

    [Range(5, 20, ErrorMessage = "Factors:RecoveryCodeCount must be between 5 and 20.")]
    public int RecoveryCodeCount { get; set; } = 10;
}
