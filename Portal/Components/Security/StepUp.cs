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
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        return user is not null && (await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true)).Succeeded;
    }

    public async Task<bool> WithCodeAsync(string userId, string code, Guid? exceptAuthenticator) =>
        await secondFactor.VerifyAsync(userId, SecondFactorMethod.Authenticator, code, exceptAuthenticator) == SecondFactorOutcome.Succeeded;
}
