using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Checks the circuit's session before every message from the browser (a click, a form submit, a JavaScript result,
/// a navigation), so an open page stops acting the moment its session is ended, its user locked or demoted: the
/// event is dropped, the circuit becomes anonymous and the page reloads, which the cookie check then refuses or
/// rebuilds. The periodic revalidation (<see cref="IdentityRevalidatingAuthenticationStateProvider"/>) covers idle pages.
/// </summary>
internal sealed class SessionCircuitHandler(
    AuthenticationStateProvider authentication, SessionGuard guard, NavigationManager navigation, CircuitExit exit, ILogger<SessionCircuitHandler> logger)
    : CircuitHandler
{
    private int ended;

    /// <summary>The circuit's user; null while the circuit is still starting and has been given none yet.</summary>
    private async Task<System.Security.Claims.ClaimsPrincipal?> CurrentUserAsync()
    {
        try
        {
            return (await authentication.GetAuthenticationStateAsync()).User;
        }
        catch (InvalidOperationException)
        {
            // The first messages of a circuit arrive before its authentication state is set from the connection.
            return null;
        }
    }

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            if (Volatile.Read(ref ended) == 1)
            {
                return;
            }
            var verdict = await CurrentUserAsync() is { } user ? await guard.CheckAsync(user) : SessionGuard.Verdict.MayAct;
            if (verdict == SessionGuard.Verdict.MayAct)
            {
                await next(context);
                return;
            }
            if (Interlocked.Exchange(ref ended, 1) == 1)
            {
                return;
            }
            logger.LogWarning(new EventId(1101, "CircuitSessionEnded"),
                "Dropped a browser event: the circuit's session has ended or its roles changed; the page reloads");
            // A page that ended its own session on purpose is already on its way out: turning it anonymous would send it
            // to the sign-in page, and a second navigation would abort its own.
            if (exit.Destination is not null)
            {
                return;
            }
            // An ended session turns the circuit anonymous at once; changed roles only reload (the request rebuilds them),
            // so that the page does not first bounce to the sign-in page of a user who is still signed in.
            if (verdict == SessionGuard.Verdict.SessionEnded && authentication is IHostEnvironmentAuthenticationStateProvider host)
            {
                host.SetAuthenticationState(Task.FromResult(new AuthenticationState(new System.Security.Claims.ClaimsPrincipal())));
            }
            navigation.NavigateTo(navigation.Uri, forceLoad: true);
        };
}
