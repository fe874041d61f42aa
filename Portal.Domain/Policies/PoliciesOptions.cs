namespace Tessera.Domain.Policies;

/// <summary>
/// The <c>Policies</c> section: the defaults of every run-time policy, shaped like <see cref="PolicySet"/>. Admin edits
/// on /admin/policies override them (stored in the database); "Reset to defaults" returns to these values.
/// </summary>
public sealed class PoliciesOptions
{
    public const string Section = "Policies";

    public PolicySet Defaults { get; set; } = new();
}
