using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;

namespace Tessera.Domain.SignIn;

/// <summary>
/// Re-proves a signed-in user before a sensitive change: their password, or a fresh code from another factor. Each
/// guess reserves one failure of the account's one budget first (<see cref="FailedAttempts"/>), exactly as at sign-in,
/// so a stolen session cannot guess its way through, even with parallel requests.
/// </summary>
public sealed class StepUp(IServiceScopeFactory scopes, FailedAttempts attempts, SecondFactorCheck secondFactor, TwoFactorFlag factors)
{
    public async Task<bool> WithPasswordAsync(string userId, string password, CancellationToken cancellationToken = default)
    {
        var reservation = await attempts.ReserveAsync(userId, cancellationToken);
        if (!reservation.Granted)
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        // Not SignInManager.CheckPasswordSignInAsync: inside a circuit there is no live HTTP request for it to read.
        if (await users.FindByIdAsync(userId) is not { } user || !await users.CheckPasswordAsync(user, password))
        {
            return false;
        }
        // With a second factor, a right password alone gives back only its own attempt, as at sign-in.
        if (await factors.HasSecondFactorAsync(userId, cancellationToken))
        {
            await attempts.ReleaseAsync(userId, reservation, cancellationToken);
        }
        else
        {
            await attempts.SucceededAsync(userId, cancellationToken);
        }
        return true;
    }

    public async Task<bool> WithCodeAsync(string userId, string code, Guid? exceptAuthenticator, CancellationToken cancellationToken = default) =>
        await secondFactor.VerifyAsync(userId, SecondFactorMethod.Authenticator, code, exceptAuthenticator, cancellationToken) == SecondFactorOutcome.Succeeded;
}
