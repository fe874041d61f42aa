using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Components.Security;

/// <summary>
/// Re-proves the user before a sensitive change in the security center: their password, or a fresh code from
/// another factor. Both count toward lockout, so a stolen session cannot guess its way through.
/// </summary>
public sealed class StepUp(IServiceScopeFactory scopes, SecondFactorCheck secondFactor)
{
    public async Task<bool> WithPasswordAsync(string userId, string password)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }
        // Not SignInManager.CheckPasswordSignInAsync: for a user with two factors it reads the remember-browser cookie
        // from the HttpContext, which inside a circuit is the long-finished first request, and that throws.
        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return false;
        }
        // As Identity does: with a second factor, a right password alone does not wipe earlier failures.
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            await users.ResetAccessFailedCountAsync(user);
        }
        return true;
    }

    public async Task<bool> WithCodeAsync(string userId, string code, Guid? exceptAuthenticator) =>
        await secondFactor.VerifyAsync(userId, SecondFactorMethod.Authenticator, code, exceptAuthenticator) == SecondFactorOutcome.Succeeded;
}
