using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;

namespace Tessera.Domain.SignIn;

/// <summary>
/// Re-proves a signed-in user before a sensitive change: their password, a fresh code from another authenticator, or
/// another passkey. A success yields a <see cref="StepUpProof"/> for one purpose, which the domain method making the
/// change spends (five minutes, once). Each password or code guess reserves one failure of the account's one budget
/// first (<see cref="FailedAttempts"/>), exactly as at sign-in, so a stolen session cannot guess its way through.
/// </summary>
public sealed class StepUp(
    IServiceScopeFactory scopes, FailedAttempts attempts, SecondFactorCheck secondFactor, FactorLifecycle factors, Passkeys passkeys, StepUpProofs proofs,
    CrossDevice.PushApprovals? pushes = null)
{
    /// <summary>Whether the user can confirm with a push to one of their devices now (other than <paramref name="exceptDevice"/>).</summary>
    public async Task<bool> CanUsePushAsync(string userId, Guid? exceptDevice = null, CancellationToken cancellationToken = default) =>
        pushes is not null && (await pushes.AvailabilityAsync(userId, cancellationToken)).Offer
        && (exceptDevice is null || (await factors.ListAsync(userId, cancellationToken)).Any(f => f.Kind == FactorKind.PushDevice && f.Id != exceptDevice));

    /// <summary>Pushes a "confirm it is you" request; the caller shows the number and polls <see cref="PushStatusAsync"/>.</summary>
    /// <param name="exceptDevice">The push device being removed: it cannot vouch for its own removal.</param>
    public Task<CrossDevice.PushRequestResult> RequestPushAsync(string userId, Guid? exceptDevice, CrossDevice.ClientDevice? browser, CancellationToken cancellationToken = default) =>
        pushes?.RequestAsync(new CrossDevice.PushRequest(userId, CrossDevice.PushApprovalKind.StepUp, null, browser, ExceptDeviceId: exceptDevice), cancellationToken)
        ?? Task.FromResult(new CrossDevice.PushRequestResult(CrossDevice.PushRequestOutcome.NoDevices));

    public async Task<CrossDevice.PushApprovalStatus?> PushStatusAsync(CrossDevice.PushRequested request, CancellationToken cancellationToken = default) =>
        pushes is null ? null : await pushes.StatusAsync(request.Id, request.BrowserNonce, cancellationToken);

    /// <summary>The approval, redeemed once by the asker (a conditional update), becomes the proof.</summary>
    public async Task<StepUpProof?> WithPushAsync(string userId, CrossDevice.PushRequested request, string purpose, CancellationToken cancellationToken = default) =>
        pushes is not null && await pushes.RedeemAsync(request.Id, request.BrowserNonce, userId, new CrossDevice.ClientDevice(null, null), cancellationToken)
            ? proofs.Issue(userId, purpose)
            : null;

    public async Task<StepUpProof?> WithPasswordAsync(string userId, string password, string purpose, CancellationToken cancellationToken = default)
    {
        var guess = await attempts.GuessAsync(userId, async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            // Not SignInManager.CheckPasswordSignInAsync: inside a circuit there is no live HTTP request for it to read.
            if (await users.FindByIdAsync(userId) is not { } user || !await users.CheckPasswordAsync(user, password))
            {
                return (GuessVerdict.Wrong, false);
            }
            // With a second factor, a right password alone gives back only its own attempt, as at sign-in.
            return (await factors.HasSecondFactorAsync(userId, ct) ? GuessVerdict.StepOnly : GuessVerdict.Completes, true);
        }, cancellationToken: cancellationToken);
        if (!guess.Right)
        {
            return null;
        }
        return proofs.Issue(userId, purpose);
    }

    /// <param name="exceptAuthenticator">The authenticator being removed: its own codes cannot vouch for its removal.</param>
    public async Task<StepUpProof?> WithCodeAsync(string userId, string code, Guid? exceptAuthenticator, string purpose, CancellationToken cancellationToken = default) =>
        await secondFactor.VerifyAsync(userId, SecondFactorMethod.Authenticator, code, exceptAuthenticator, cancellationToken) == SecondFactorOutcome.Succeeded
            ? proofs.Issue(userId, purpose)
            : null;

    /// <param name="exceptPasskey">The passkey being removed: it cannot vouch for its own removal.</param>
    public async Task<StepUpProof?> WithPasskeyAsync(
        string userId, Guid challengeId, string responseJson, Guid? exceptPasskey, string purpose, CancellationToken cancellationToken = default)
    {
        var result = await passkeys.CompleteAssertionAsync(challengeId, responseJson, userId, cancellationToken);
        return result.Succeeded && result.PasskeyId != exceptPasskey ? proofs.Issue(userId, purpose) : null;
    }
}
