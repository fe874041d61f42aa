using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.CrossDevice;

/// <summary>The <c>CrossDevice</c> section: QR sign-in from a phone.</summary>
public sealed class CrossDeviceOptions
{
    public const string Section = "CrossDevice";

    [Range(typeof(TimeSpan), "00:00:05", "00:10:00", ErrorMessage = "CrossDevice:SessionLifetime must be between 00:00:05 and 00:10:00.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 100, ErrorMessage = "CrossDevice:MaxLiveSessionsPerIp must be between 1 and 100.")]
    public int MaxLiveSessionsPerIp { get; set; } = 5;

    /// <summary>
    /// Whether an approving phone must be near the screen it signs in (same network or ASN, and the screen not behind an
    /// anonymiser or hosting range): a relayed QR link (QRLJacking) comes from the attacker's network.
    /// </summary>
    public ProximityRule Proximity { get; set; } = ProximityRule.Warn;

    /// <summary>The same rule for approvals by an administrator (stricter by default).</summary>
    public ProximityRule AdminProximity { get; set; } = ProximityRule.Require;
}

public enum ProximityRule
{
    Off,

    /// <summary>The phone is told the screen seems elsewhere; it may still approve.</summary>
    Warn,

    /// <summary>An approval from elsewhere is refused.</summary>
    Require,
}
