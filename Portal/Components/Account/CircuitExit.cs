namespace Tessera.Portal.Components.Account;

/// <summary>
/// Where an open page goes when it ends its own session on purpose (the account was just deleted): without it the
/// session guard would reload the current page, and the person would land on the sign-in page instead of the goodbye.
/// One per circuit.
/// </summary>
public sealed class CircuitExit
{
    public string? Destination { get; set; }
}
