using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Factors.Push;

/// <summary>The <c>Push</c> section: Web Push to the users' push devices.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>The VAPID <c>sub</c> claim (RFC 8292): how a push service reaches the operator.</summary>
    [RegularExpression(@"^(mailto:\S+@\S+|https://\S+)$", ErrorMessage = "Push:Subject must be a mailto: or https: URL.")]
    public string Subject { get; set; } = "mailto:postmaster@localhost";

    /// <summary>The push services of Chrome/Edge/Android, Firefox, Windows and Safari/iOS.</summary>
    public static readonly IReadOnlyList<string> DefaultEndpointHosts =
        ["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com"];

    /// <summary>
    /// Push services a subscription may point at (a host, or a parent domain of it); empty means
    /// <see cref="DefaultEndpointHosts"/>. The server POSTs to whatever endpoint a browser registers, so anything else
    /// is refused: an endpoint is never a way into the internal network.
    /// </summary>
    public string[] AllowedEndpointHosts { get; set; } = [];

    /// <summary>What is allowed: the configured hosts (replacing the defaults, not added to them), else the defaults.</summary>
    public IReadOnlyList<string> EndpointHosts => AllowedEndpointHosts.Length > 0 ? AllowedEndpointHosts : DefaultEndpointHosts;

    /// <summary>Lets a test push service on 127.0.0.1 receive pushes over http. Development and tests only.</summary>
    public bool AllowLoopbackEndpoints { get; set; }

    [Range(1, 20, ErrorMessage = "Push:MaxDevicesPerUser must be between 1 and 20.")]
    public int MaxDevicesPerUser { get; set; } = 5;

    /// <summary>How long an approval request may be answered; also the push's TTL.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:10:00", ErrorMessage = "Push:ApprovalLifetime must be between 00:00:30 and 00:10:00.")]
    public TimeSpan ApprovalLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one push service request may take before it counts as failed (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Push:SendTimeout must be between 00:00:01 and 00:01:00.")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
