namespace Tessera.Domain.CrossDevice;

/// <summary>A browser or phone taking part: its raw address (pseudonymised before it is stored) and User-Agent.</summary>
public sealed record ClientDevice(string? IpAddress, string? UserAgent);

/// <param name="DeviceId">One of the user's push devices, or null for all of them.</param>
/// <param name="Requester">The browser asking (null for an API request: the caller is a server).</param>
/// <param name="ClientId">For <see cref="PushApprovalKind.Api"/>: the API client.</param>
/// <param name="Message">For an API request: what is to be approved, shown on the device.</param>
/// <param name="MaskedDestination">For an API request: the user's masked email, which the client reads back.</param>
/// <param name="ExceptDeviceId">With no <paramref name="DeviceId"/>: a device left out (the one a step-up would remove).</param>
public sealed record PushRequest(string UserId, PushApprovalKind Kind, Guid? DeviceId, ClientDevice? Requester, string? ClientId = null, string? Message = null,
    string? MaskedDestination = null, Guid? ExceptDeviceId = null);

public enum PushRequestOutcome
{
    Sent,
    NoDevices,
    /// <summary>Another request of this user is still open.</summary>
    OnePending,
    /// <summary><see cref="PushApprovals.MaxRequestsPerWindow"/> in the window already.</summary>
    TooMany,
    /// <summary>Two denials within the hour: push is not offered until it has passed.</summary>
    Paused,
}

/// <param name="Reason">For a refusal: a sentence for the person.</param>
/// <param name="RetryAt">For a rationed refusal: when a request may be sent again.</param>
public sealed record PushRequestResult(PushRequestOutcome Outcome, PushRequested? Request = null, string? Reason = null, DateTimeOffset? RetryAt = null);

/// <param name="BrowserNonce">For a sign-in: goes into the asking browser's HttpOnly cookie; null for an API request.</param>
/// <param name="Devices">The names of the devices it was pushed to.</param>
public sealed record PushRequested(Guid Id, string? BrowserNonce, int Number, DateTimeOffset ExpiresAt, IReadOnlyList<string> Devices);

/// <summary>Whether push can be offered now; <paramref name="Refusal"/> says why not (or why a request would wait).</summary>
public sealed record PushAvailability(bool Offer, PushRequestResult? Refusal);

/// <summary>What the approval page shows about an open request.</summary>
public sealed record PushApprovalView(
    Guid Id, PushApprovalKind Kind, string? RequesterDevice, string? Place, string? Network, string? Message, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
