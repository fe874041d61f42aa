using Tessera.Domain.Accounts;
using System.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>
/// WebAuthn passkeys: registration and assertion ceremonies verified by Fido2, with every challenge consumed once by
/// the database and the signature counter moved forward by a conditional update; listing, renaming, removing.
/// </summary>
/// <param name="metadata">The FIDO metadata BLOB, or <see cref="FileMetadataService.None"/>: with a BLOB and an
/// allow-list, a new passkey must prove that it is an allowed, certified model.</param>
public sealed class Passkeys(
    IDbContextFactory<PortalDbContext> dbFactory,
    IFido2 fido2,
    TimeProvider time,
    AuditLog audit,
    IOptions<WebAuthnOptions> options,
    AuthenticatorModels models,
    FactorLifecycle lifecycle,
    FileMetadataService metadata)
{
    public const string ChallengeUnusable = "challenge expired or already used";

    private readonly CeremonyChallenges challenges = new(dbFactory, time, options.Value.ChallengeTimeoutSeconds);
    private readonly PasskeyModelPolicy modelPolicy = new(dbFactory, time, audit, options, models);

    private UserVerificationRequirement UserVerification =>
        options.Value.RequireUserVerification ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred;

    /// <summary>The WebAuthn user handle: the user id's UTF-8 bytes, stable for the life of the account.</summary>
    public static byte[] UserHandleOf(string userId) => Encoding.UTF8.GetBytes(userId);

    /// <summary>Removes ceremony challenges that expired over an hour ago (a recurring job calls this).</summary>
    public Task<int> PurgeExpiredChallengesAsync(CancellationToken ct = default) => challenges.PurgeAsync(ct);

    public async Task<CeremonyStart> BeginRegistrationAsync(string userId, string userName, CancellationToken ct = default)
    {
        var verifying = await VerifiesModelsAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.PasskeyCredentials.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new { c.CredentialId, c.Transports }).ToListAsync(ct);
        var creation = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = UserHandleOf(userId), Name = userName, DisplayName = userName },
            // The browser refuses to make a second credential on an authenticator that already holds one for this user.
            ExcludeCredentials = existing.Select(c => Descriptor(c.CredentialId, c.Transports)).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Preferred,
                UserVerification = UserVerification,
            },
            // Only an attestation proves what model a key is; without a BLOB to check one against, asking would only
            // put a privacy prompt in front of the user for nothing.
            AttestationPreference = verifying ? AttestationConveyancePreference.Direct : AttestationConveyancePreference.None,
        });
        var json = creation.ToJson();
        return new CeremonyStart(await challenges.IssueAsync(WebAuthnChallenge.Registration, userId, json, ct), json);
    }

    /// <summary>
    /// Verifies the attestation and saves the passkey. A user who already has a second factor must give a step-up proof
    /// for adding one (a stolen session must not add its own).
    /// </summary>
    public async Task<PasskeyResult> CompleteRegistrationAsync(
        string userId, Guid challengeId, string attestationResponseJson, string name, StepUpProof? proof, CancellationToken ct = default)
    {
        if (await challenges.ConsumeAsync(challengeId, WebAuthnChallenge.Registration, userId, anyUser: false, ct) is not { } optionsJson)
        {
            return await RegistrationFailedAsync(userId, ChallengeUnusable, ct);
        }

        RegisteredPublicKeyCredential credential;
        try
        {
            var response = JsonSerializer.Deserialize<AuthenticatorAttestationRawResponse>(attestationResponseJson)
                ?? throw new Fido2VerificationException("empty response");
            credential = await fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(optionsJson),
                // One credential id, one owner: a second registration of the same id would make the owner ambiguous.
                IsCredentialIdUniqueToUserCallback = async (p, token) =>
                {
                    await using var lookup = await dbFactory.CreateDbContextAsync(token);
                    return !await lookup.PasskeyCredentials.AnyAsync(c => c.CredentialId == p.CredentialId, token);
                },
            }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the browser sent (bad JSON, a forged or malformed response) ends as a refusal, never a 500.
            return await RegistrationFailedAsync(userId, Reason(ex), ct);
        }

        if (!await modelPolicy.IsAllowedAsync(credential.AaGuid, ct))
        {
            return await RegistrationFailedAsync(userId, $"authenticator model {credential.AaGuid} not allowed", ct);
        }
        // Decided now, not when the ceremony began: an allow-list added in between applies to this passkey too.
        if (await VerifiesModelsAsync(ct)
            && metadata.WhyNotProven(credential.AaGuid, credential.AttestationType, models.NameOf(credential.AaGuid)) is { } unproven)
        {
            return await RegistrationFailedAsync(userId, unproven, ct);
        }

        // After the ceremony verified, so a cancelled or failed one does not spend the proof.
        if (!await lifecycle.MayAddAsync(userId, proof, cancellationToken: ct))
        {
            return await RegistrationFailedAsync(userId, "no valid step-up proof", ct);
        }

        var passkey = new PasskeyCredential
        {
            UserId = userId,
            CredentialId = credential.Id,
            PublicKey = credential.PublicKey,
            SignCount = credential.SignCount,
            Aaguid = credential.AaGuid,
            Transports = credential.Transports is { Length: > 0 } t ? string.Join(',', t.Select(EnumExtensions.ToEnumMemberValue)) : null,
            IsBackupEligible = credential.IsBackupEligible,
            IsBackedUp = credential.IsBackedUp,
            AttestationFormat = credential.AttestationFormat,
            UserHandle = credential.User.Id,
            Name = CleanName(name, models.NameOf(credential.AaGuid)),
            CreatedAt = time.GetUtcNow(),
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.PasskeyCredentials.Add(passkey);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The unique index on CredentialId: a concurrent registration of the same credential won the race.
                return await RegistrationFailedAsync(userId, "credential id already registered", ct);
            }
        }
        var added = await lifecycle.AddedAsync(userId, FactorKind.Passkey, passkey.Id, passkey.Name,
            $"id={passkey.Id}; aaguid={passkey.Aaguid}; synced={passkey.IsBackedUp}", ct);
        return PasskeyResult.Success(userId, passkey.Id) with { FirstRecoveryCodes = added.FirstRecoveryCodes };
    }

    /// <param name="userId">The signed-in (or password-verified) user for a second factor or step-up; null for passwordless sign-in.</param>
    public async Task<CeremonyStart> BeginAssertionAsync(string? userId, CancellationToken ct = default)
    {
        List<PublicKeyCredentialDescriptor> allowed = [];
        if (userId is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var rows = await db.PasskeyCredentials.AsNoTracking().Where(c => c.UserId == userId)
                .Select(c => new { c.CredentialId, c.Transports }).ToListAsync(ct);
            allowed = rows.Select(c => Descriptor(c.CredentialId, c.Transports)).ToList();
        }
        var assertion = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            // Empty for passwordless: the browser offers the discoverable passkeys it holds for this RP.
            AllowedCredentials = allowed,
            UserVerification = UserVerification,
        });
        var json = assertion.ToJson();
        return new CeremonyStart(await challenges.IssueAsync(WebAuthnChallenge.Assertion, userId, json, ct), json);
    }

    /// <param name="expectedUserId">When set, only a passkey of this user is accepted (second factor, step-up).</param>
    public Task<PasskeyResult> CompleteAssertionAsync(Guid challengeId, string assertionResponseJson, string? expectedUserId, CancellationToken ct = default) =>
        new PasskeyAssertion(dbFactory, fido2, time, audit, challenges).CompleteAsync(challengeId, assertionResponseJson, expectedUserId, ct);

    public async Task<IReadOnlyList<PasskeySummary>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.PasskeyCredentials.AsNoTracking().Where(c => c.UserId == userId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.Aaguid, c.CreatedAt, c.LastUsedAt, c.IsBackedUp, c.AttestationFormat })
            .ToListAsync(ct);
        // A certified name only for a passkey that came with an attestation: a "none" one merely claims its AAGUID.
        return rows
            .Select(c => new PasskeySummary(c.Id, c.Name, models.NameOf(c.Aaguid), c.CreatedAt, c.LastUsedAt, c.IsBackedUp,
                c.AttestationFormat is null or "none" ? null : metadata.CertifiedModelName(c.Aaguid)))
            .ToList();
    }

    public async Task<int> CountAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PasskeyCredentials.CountAsync(c => c.UserId == userId, ct);
    }



    public async Task<bool> RenameAsync(string userId, Guid id, string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var aaguid = await db.PasskeyCredentials.Where(c => c.Id == id && c.UserId == userId).Select(c => (Guid?)c.Aaguid).SingleOrDefaultAsync(ct);
        if (aaguid is null)
        {
            return false;
        }
        var clean = CleanName(name, models.NameOf(aaguid.Value));
        var renamed = await db.PasskeyCredentials.Where(c => c.Id == id && c.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, clean), ct) == 1;
        if (renamed)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyRenamed, AuditOutcome.Success, userId, userId, Detail: $"id={id}"), ct);
        }
        return renamed;
    }


    /// <summary>Trimmed, at most 64 characters; empty becomes <paramref name="fallback"/> (the authenticator's model name).</summary>
    public static string CleanName(string? name, string fallback)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            trimmed = fallback;
        }
        return trimmed.Length <= 64 ? trimmed : trimmed[..64];
    }

    internal static PublicKeyCredentialDescriptor Descriptor(byte[] credentialId, string? transports) =>
        new(PublicKeyCredentialType.PublicKey, credentialId, ParseTransports(transports));

    // Precise for the audit log; the caller shows the user something vaguer.
    internal static string Reason(Exception ex) => ex switch
    {
        UndesiredMetadataStatusFido2VerificationException undesired =>
            $"{undesired.Code}: the FIDO metadata reports this authenticator model as {undesired.StatusReport.Status}",
        Fido2VerificationException fido => $"{fido.Code}: {fido.Message}",
        JsonException => "response is not valid JSON",
        _ => $"malformed response ({ex.GetType().Name})",
    };

    private static AuthenticatorTransport[]? ParseTransports(string? transports)
    {
        if (string.IsNullOrEmpty(transports))
        {
            return null;
        }
        var parsed = new List<AuthenticatorTransport>();
        foreach (var value in transports.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // A transport this library version does not know is left out rather than failing the ceremony.
            try
            {
                parsed.Add(EnumExtensions.ToEnum<AuthenticatorTransport>(value));
            }
            catch (ArgumentException)
            {
            }
        }
        return parsed.Count > 0 ? parsed.ToArray() : null;
    }

    // An allow-list checked against a verified BLOB is enforced; without a BLOB it can only steer honest devices.
    private async Task<bool> VerifiesModelsAsync(CancellationToken ct) => metadata.HasBlob && await modelPolicy.IsRestrictedAsync(ct);

    private async Task<PasskeyResult> RegistrationFailedAsync(string userId, string reason, CancellationToken ct)
    {
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyAdded, AuditOutcome.Failure, userId, userId, Detail: reason), ct);
        return PasskeyResult.Failure(reason, userId);
    }
}
