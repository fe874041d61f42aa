namespace Tessera.Domain.Factors;

/// <summary>A ceremony begun: the browser gets <paramref name="OptionsJson"/> and sends back the id with its response.</summary>
public sealed record CeremonyStart(Guid ChallengeId, string OptionsJson);

/// <param name="Model">The authenticator's friendly name, from its AAGUID.</param>
/// <param name="Synced">Backed up by the authenticator (a synced passkey), as of its last use.</param>
/// <param name="CertifiedModel">The model's name in the FIDO metadata, when the passkey came with an attestation and
/// the model is FIDO certified; null without a metadata BLOB.</param>
public sealed record PasskeySummary(Guid Id, string Name, string Model, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, bool Synced,
    string? CertifiedModel = null);

/// <param name="Error">A short reason, precise enough for the audit log; show the user something vaguer.</param>
/// <param name="FirstRecoveryCodes">After registering the user's first factor: their first recovery codes, shown once.</param>
public sealed record PasskeyResult(bool Succeeded, string? UserId, Guid? PasskeyId, string? Error, IReadOnlyList<string>? FirstRecoveryCodes = null)
{
    public static PasskeyResult Success(string userId, Guid passkeyId) => new(true, userId, passkeyId, null);

    public static PasskeyResult Failure(string error, string? userId = null, Guid? passkeyId = null) => new(false, userId, passkeyId, error);
}
