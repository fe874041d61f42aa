namespace Tessera.Portal.Components.Security;

/// <summary>What wwwroot/webauthn.js returns from a ceremony: the credential as JSON, or why it failed.</summary>
public sealed record CeremonyResponse(bool Ok, string? Json, string? Error, string? Message);
