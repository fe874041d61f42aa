using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Contacts;

/// <summary>The <c>Phones</c> section.</summary>
public sealed class PhoneOptions
{
    public const string Section = "Phones";

    /// <summary>
    /// ISO 3166-1 region assumed for numbers typed without "+" (for example "GB"), and the only region SMS may go to
    /// until an admin allows others on /admin/policies.
    /// </summary>
    [Required, RegularExpression("^[A-Z]{2}$", ErrorMessage = "Phones:DefaultRegion must be a two-letter ISO region code such as GB or US.")]
    public string DefaultRegion { get; set; } = "GB";
}
