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
}
