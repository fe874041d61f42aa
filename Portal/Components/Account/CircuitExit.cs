namespace Tessera.Portal.Components.Account;

/// <summary>
/// Set by an open page that is about to end its own session on purpose (the account is being deleted) and will then
/// navigate to <see cref="Destination"/> itself: the session guard drops the circuit's events without reloading the
/// page, which would land the person on the sign-in page instead of the goodbye, or abort the page's own navigation.
/// One per circuit.
/// </summary>
public sealed class CircuitExit
{
    public string? Destination { get; set; }
}
