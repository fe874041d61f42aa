using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Re-checks an open circuit's session every few seconds, so a page left open after a sign-out elsewhere, a
/// revocation, a lock, a password reset or a demotion turns anonymous without waiting for a click.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, SessionGuard guard)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    /// <summary>One indexed read per open circuit per interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override TimeSpan RevalidationInterval => Interval;

    /// <summary>
    /// An ended session turns the idle page anonymous. Changed roles do not: the user is still signed in, and the
    /// page's next event reloads it with the stored roles (<see cref="SessionCircuitHandler"/>); until then it acts on nothing.
    /// </summary>
    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        await guard.CheckAsync(authenticationState.User, cancellationToken) != SessionGuard.Verdict.SessionEnded;
}
