using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>The second half of an assertion ceremony, for <see cref="Passkeys.CompleteAssertionAsync"/>.</summary>
/// <remarks>A failed result names no more than the caller already knew (the expected user); the audit log says the rest.</remarks>
internal sealed class PasskeyAssertion(
    IDbContextFactory<PortalDbContext> dbFactory,
    IFido2 fido2,
    TimeProvider time,
    AuditLog audit,
    CeremonyChallenges challenges)
{
    public async Task<PasskeyResult> CompleteAsync(Guid challengeId, string assertionResponseJson, string? expectedUserId, CancellationToken ct)
    {
        // A challenge begun for a user finishes only for that user; one begun for nobody (passwordless) for anyone.
        if (await challenges.ConsumeAsync(challengeId, WebAuthnChallenge.Assertion, expectedUserId, anyUser: true, ct) is not { } optionsJson)
        {
            return await FailedAsync(expectedUserId, expectedUserId, null, Passkeys.ChallengeUnusable, ct);
        }

        AuthenticatorAssertionRawResponse response;
        AssertionOptions original;
        try
        {
            response = JsonSerializer.Deserialize<AuthenticatorAssertionRawResponse>(assertionResponseJson)
                ?? throw new Fido2VerificationException("empty response");
            original = AssertionOptions.FromJson(optionsJson);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailedAsync(expectedUserId, expectedUserId, null, Passkeys.Reason(ex), ct);
        }
        if (response.RawId is not { Length: > 0 } rawId || response.Response is null)
        {
            return await FailedAsync(expectedUserId, expectedUserId, null, "response has no credential id", ct);
        }

        PasskeyCredential? credential;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            credential = await db.PasskeyCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.CredentialId == rawId, ct);
        }
        if (credential is null)
        {
            return await FailedAsync(expectedUserId, expectedUserId, null, "unknown credential", ct);
        }
        if (expectedUserId is not null && credential.UserId != expectedUserId)
        {
            return await FailedAsync(expectedUserId, expectedUserId, credential.Id, $"credential {credential.Id} belongs to another user", ct);
        }
        // Passwordless: nobody was identified before the ceremony, so the authenticator must say whose passkey this is.
        if (original.AllowCredentials is not { Count: > 0 } && response.Response.UserHandle is not { Length: > 0 })
        {
            return await FailedAsync(expectedUserId, credential.UserId, credential.Id, "user handle missing from a discoverable assertion", ct);
        }

        var stored = credential.SignCount;
        VerifyAssertionResult verified;
        try
        {
            verified = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = original,
                StoredPublicKey = credential.PublicKey,
                StoredSignatureCounter = (uint)stored,
                IsUserHandleOwnerOfCredentialIdCallback = (p, _) => Task.FromResult(
                    p.CredentialId.AsSpan().SequenceEqual(credential.CredentialId) && p.UserHandle.AsSpan().SequenceEqual(credential.UserHandle)),
            }, ct);
        }
        catch (Fido2VerificationException ex) when (ex.Code == Fido2ErrorCode.InvalidSignCount)
        {
            return await CloneSuspectedAsync(credential, expectedUserId, stored, null, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailedAsync(expectedUserId, credential.UserId, credential.Id, Passkeys.Reason(ex), ct);
        }

        // WebAuthn: when either counter is non-zero the new one must be greater. Fido2 lets a zero after a non-zero
        // pass, which is exactly what a copy of the key that starts counting afresh would send.
        if ((verified.SignCount != 0 || stored != 0) && verified.SignCount <= stored)
        {
            return await CloneSuspectedAsync(credential, expectedUserId, stored, verified.SignCount, ct);
        }

        var now = time.GetUtcNow();
        int updated;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // Conditional on the counter read above: of two assertions racing from one counter value, one moves it.
            updated = await db.PasskeyCredentials.Where(c => c.Id == credential.Id && c.SignCount == stored)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.SignCount, (long)verified.SignCount)
                    .SetProperty(c => c.LastUsedAt, now)
                    .SetProperty(c => c.IsBackedUp, verified.IsBackedUp), ct);
        }
        if (updated != 1)
        {
            return await FailedAsync(expectedUserId, credential.UserId, credential.Id, "sign count moved concurrently", ct);
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyVerified, AuditOutcome.Success, credential.UserId, credential.UserId,
            Detail: $"id={credential.Id}; signCount={verified.SignCount}"), ct);
        return PasskeyResult.Success(credential.UserId, credential.Id);
    }

    private async Task<PasskeyResult> CloneSuspectedAsync(PasskeyCredential credential, string? expected, long stored, uint? received, CancellationToken ct)
    {
        var detail = $"id={credential.Id}; stored={stored}; received={received?.ToString() ?? "not greater"}";
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyCloneSuspected, AuditOutcome.Failure, credential.UserId, credential.UserId, Detail: detail), ct);
        return PasskeyResult.Failure("sign count did not increase: possible cloned authenticator", expected);
    }

    /// <param name="userId">Whom the audit event is about: the expected user, else the credential's owner when known.</param>
    private async Task<PasskeyResult> FailedAsync(string? expected, string? userId, Guid? passkeyId, string reason, CancellationToken ct)
    {
        var detail = passkeyId is { } id ? $"id={id}; {reason}" : reason;
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyVerified, AuditOutcome.Failure, userId, userId, Detail: detail), ct);
        return PasskeyResult.Failure(reason, expected);
    }
}
