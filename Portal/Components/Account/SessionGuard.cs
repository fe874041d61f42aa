using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Whether a principal held by an open circuit may still act: its session row must be alive (not signed out, revoked,
/// ended by a lock or a password reset) and, when the security stamp has moved on, its roles must still be the stored
/// ones (a demoted admin's circuit stops acting as an admin). A cookie request rebuilds its principal instead
/// (<see cref="SessionCookieEvents"/>); a circuit cannot, so it reloads.
/// </summary>
internal sealed class SessionGuard(UserSessions sessions, IOptions<IdentityOptions> identity)
{
    public enum Verdict
    {
        MayAct,

        /// <summary>Signed out, revoked, locked, reset: the circuit is anonymous from now on.</summary>
        SessionEnded,

        /// <summary>The session lives but the roles it holds are not the stored ones: a reload rebuilds them.</summary>
        RolesChanged,
    }

    public async Task<Verdict> CheckAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return Verdict.MayAct;
        }
        var claims = identity.Value.ClaimsIdentity;
        var userId = principal.FindFirstValue(claims.UserIdClaimType);
        var check = await sessions.CheckAsync(principal.FindFirstValue(UserSessions.ClaimType), userId, cancellationToken);
        if (!check.Live)
        {
            return Verdict.SessionEnded;
        }
        if (check.SecurityStamp == principal.FindFirstValue(claims.SecurityStampClaimType))
        {
            return Verdict.MayAct;
        }
        var held = principal.FindAll(claims.RoleClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var stored = await sessions.RolesAsync(userId!, cancellationToken);
        return held.SetEquals(stored) ? Verdict.MayAct : Verdict.RolesChanged;
    }
}
