using System.Globalization;
using Fido2NetLib;

namespace Tessera.Domain.Factors;

public enum ModelCertification
{
    /// <summary>The BLOB has no entry for the AAGUID (or there is no BLOB): nothing is known of the model.</summary>
    NotListed,

    /// <summary>Listed, but never FIDO certified, or no longer.</summary>
    NotCertified,

    /// <summary>FIDO certified (any level), and nothing reported since takes it back.</summary>
    Certified,

    /// <summary>Revoked, retired, or with a known compromise: a model no registration may come from.</summary>
    Refused,
}

/// <summary>What the FIDO metadata says of one authenticator model.</summary>
/// <param name="Status">The report the verdict rests on, when there is one.</param>
/// <param name="Description">The model's name in its metadata statement ("YubiKey 5 Series with NFC").</param>
public sealed record ModelStatus(ModelCertification Certification, AuthenticatorStatus? Status, string? Description)
{
    public static readonly ModelStatus NotListed = new(ModelCertification.NotListed, null, null);

    public bool IsCertified => Certification == ModelCertification.Certified;

    /// <summary>
    /// The verdict of the latest report that speaks to certification or security. Informational reports (an update
    /// available, a FIPS certificate, a self-assertion) are passed over: a model whose user verification can be
    /// bypassed stays refused when the vendor later reports a firmware update, since older devices stay vulnerable.
    /// </summary>
    public static ModelStatus Of(MetadataBLOBPayloadEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        StatusReport? deciding = null;
        var decidingDate = DateTimeOffset.MinValue;
        foreach (var report in entry.StatusReports ?? [])
        {
            if (report is null || IsInformational(report.Status))
            {
                continue;
            }
            // As Fido2's GetLatestStatusReport: an undated report is the oldest, and of equal dates the later one wins.
            var date = EffectiveDate(report.EffectiveDate);
            if (deciding is null || date >= decidingDate)
            {
                deciding = report;
                decidingDate = date;
            }
        }

        var certification = deciding?.Status switch
        {
            null or AuthenticatorStatus.NOT_FIDO_CERTIFIED => ModelCertification.NotCertified,
            { } status when IsFidoCertified(status) => ModelCertification.Certified,
            // The compromises, REVOKED, RETIRED, and any status this Fido2 version adds later: unknown is not good.
            _ => ModelCertification.Refused,
        };
        var description = entry.MetadataStatement?.Description;
        return new(certification, deciding?.Status, string.IsNullOrWhiteSpace(description) ? null : description.Trim());
    }

    private static bool IsFidoCertified(AuthenticatorStatus status) => status is AuthenticatorStatus.FIDO_CERTIFIED
        or AuthenticatorStatus.FIDO_CERTIFIED_L1 or AuthenticatorStatus.FIDO_CERTIFIED_L1plus
        or AuthenticatorStatus.FIDO_CERTIFIED_L2 or AuthenticatorStatus.FIDO_CERTIFIED_L2plus
        or AuthenticatorStatus.FIDO_CERTIFIED_L3 or AuthenticatorStatus.FIDO_CERTIFIED_L3plus;

    private static bool IsInformational(AuthenticatorStatus status) => status is AuthenticatorStatus.UPDATE_AVAILABLE
        or AuthenticatorStatus.SELF_ASSERTION_SUBMITTED
        or AuthenticatorStatus.FIPS140_CERTIFIED_L1 or AuthenticatorStatus.FIPS140_CERTIFIED_L2
        or AuthenticatorStatus.FIPS140_CERTIFIED_L3 or AuthenticatorStatus.FIPS140_CERTIFIED_L4;

    private static DateTimeOffset EffectiveDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : DateTimeOffset.MinValue;
}
