using Tessera.Domain.Accounts;
using Tessera.Domain.Policies;
using Tessera.Domain.Risk;

namespace Tessera.Domain.SignIn;

/// <summary>
/// The sign-in service's side of the risk engine: an attempt scored with the failures counted before it, a remembered
/// device honoured only when the score allows it, and a success learned from (with the new-device or new-place email).
/// </summary>
public sealed class SignInRisk(RiskEngine engine, KnownDevices devices, FailedAttempts attempts, NetworkThrottle throttle, SecurityNotices notices, TimeProvider time)
{
    /// <param name="counted">Whether this attempt's own failure is already reserved (inside the budget's bracket).</param>
    public async Task<RiskAssessment> AssessAsync(ApplicationUser user, ClientContext client, bool hasFactor, string path, bool counted, CancellationToken cancellationToken)
    {
        var own = counted ? 1 : 0;
        var userFailures = Math.Max(0, await attempts.FailuresTodayAsync(user.Id, cancellationToken) - own);
        var networkFailures = Math.Max(0, await throttle.FailuresAsync(client.IpAddress, cancellationToken) - own);
        return await engine.AssessAsync(user.Id, Attempt(client, userFailures, networkFailures), hasFactor, path, cancellationToken);
    }

    /// <summary>"Remember this device" applies: the device is trusted under the user's current stamp, and the score did not ask for more.</summary>
    public async Task<bool> RememberedAsync(ApplicationUser user, ClientContext client, RiskAssessment risk, CancellationToken cancellationToken) =>
        !risk.DemandsStepUp && await devices.IsRememberedAsync(user.Id, client.DeviceId, user.SecurityStamp, cancellationToken);

    /// <summary>
    /// The sign-in succeeded: the engine learns from it, and the owner is emailed when it came from a device or a
    /// country not seen for them before (never at the very first sign-in: everything is new then).
    /// </summary>
    public async Task LearnAsync(string userId, ClientContext client, CancellationToken cancellationToken)
    {
        var learned = await engine.LearnAsync(userId, Attempt(client), cancellationToken);
        if (learned.HistoryBefore > 0 && (learned.NewDevice || learned.NewCountry))
        {
            await notices.NewSignInAsync(userId, learned.DeviceName, learned.Place.Describe(), time.GetUtcNow(), cancellationToken);
        }
    }

    /// <summary>"Remember this device" after a second step: trusted for Risk:RememberDeviceFor under the current stamp.</summary>
    public Task<bool> RememberAsync(ApplicationUser user, ClientContext client, CancellationToken cancellationToken) =>
        devices.RememberAsync(user.Id, client.DeviceId, user.SecurityStamp, cancellationToken);

    private static RiskAttempt Attempt(ClientContext client, int userFailures = 0, int networkFailures = 0) =>
        new(client.IpAddress, client.UserAgent, client.DeviceId, userFailures, networkFailures);
}
