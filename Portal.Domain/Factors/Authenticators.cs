using Tessera.Domain.Accounts;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Factors;

public sealed record AuthenticatorSummary(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A secret offered for enrollment: not stored until the user proves their app has it.</summary>
public sealed record PendingAuthenticator(byte[] Secret, string KeyUri, string ManualKey);

public enum CodeCheck
{
    Accepted,
    Wrong,
    Replayed,
}

/// <summary>Authenticator apps (TOTP): enroll, verify with replay refused by the database, rename, remove.</summary>
public sealed class Authenticators(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit, IPolicies policies, FactorLifecycle lifecycle)
{
    public static PendingAuthenticator Offer(string issuer, string account)
    {
        var secret = RandomNumberGenerator.GetBytes(OneTimeCodes.SecretBytes);
        return new PendingAuthenticator(secret, OneTimeCodes.KeyUri(secret, issuer, account), OneTimeCodes.GroupedBase32(secret));
    }

    /// <summary>
    /// Saves the authenticator if <paramref name="code"/> comes from it; the confirming step counts as used. A user who
    /// already has a second factor must give a step-up proof for adding one (a stolen session must not add its own).
    /// The rest of an addition (flag, first recovery codes, email, audit) is <see cref="FactorLifecycle"/>'s.
    /// </summary>
    public async Task<FactorAdded?> ConfirmAsync(string userId, string name, PendingAuthenticator pending, string code, StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (OneTimeCodes.MatchTotp(pending.Secret, OneTimeCodes.Normalize(code), now, await TotpWindowAsync(cancellationToken)) is not { } step)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorAdded, AuditOutcome.Failure, userId, userId, Detail: "confirmation code did not match"), cancellationToken);
            return null;
        }

        // After the code matched, so a mistyped code does not spend the proof.
        if (!await lifecycle.MayAddAsync(userId, proof, cancellationToken: cancellationToken))
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorAdded, AuditOutcome.Failure, userId, userId, Detail: "no valid step-up proof"), cancellationToken);
            return null;
        }

        var authenticator = new TotpAuthenticator
        {
            UserId = userId,
            Name = CleanName(name),
            Secret = pending.Secret,
            CreatedAt = now,
            LastUsedAt = now,
            LastAcceptedStep = step,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.TotpAuthenticators.Add(authenticator);
        await db.SaveChangesAsync(cancellationToken);
        return await lifecycle.AddedAsync(userId, FactorKind.AuthenticatorApp, authenticator.Id, authenticator.Name, $"id={authenticator.Id}", cancellationToken);
    }

    /// <summary>
    /// Checks a code against the user's authenticators. A matching step is accepted only if one conditional update
    /// can move that authenticator's last accepted step forward to it: the same or an earlier step never verifies
    /// again, even when many requests race with one code.
    /// </summary>
    /// <param name="except">An authenticator whose codes do not count (the one a step-up is about to remove).</param>
    public async Task<CodeCheck> VerifyAsync(string userId, string code, Guid? except = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var normalized = OneTimeCodes.Normalize(code);
        var window = await TotpWindowAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var authenticators = await db.TotpAuthenticators.AsNoTracking()
            .Where(a => a.UserId == userId && a.Id != except)
            .ToListAsync(cancellationToken);
        foreach (var authenticator in authenticators)
        {
            if (OneTimeCodes.MatchTotp(authenticator.Secret, normalized, now, window) is not { } step)
            {
                continue;
            }
            var advanced = await db.TotpAuthenticators
                .Where(a => a.Id == authenticator.Id && (a.LastAcceptedStep == null || a.LastAcceptedStep < step))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAcceptedStep, step).SetProperty(a => a.LastUsedAt, now), cancellationToken);
            if (advanced == 1)
            {
                await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorVerified, AuditOutcome.Success, userId, userId, Detail: $"id={authenticator.Id}"), cancellationToken);
                return CodeCheck.Accepted;
            }
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorReplay, AuditOutcome.Failure, userId, userId, Detail: $"id={authenticator.Id}; step={step}"), cancellationToken);
            return CodeCheck.Replayed;
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorVerified, AuditOutcome.Failure, userId, userId, Detail: "no authenticator matched"), cancellationToken);
        return CodeCheck.Wrong;
    }

    public async Task<IReadOnlyList<AuthenticatorSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.TotpAuthenticators.AsNoTracking().Where(a => a.UserId == userId)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new AuthenticatorSummary(a.Id, a.Name, a.CreatedAt, a.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.TotpAuthenticators.CountAsync(a => a.UserId == userId, cancellationToken);
    }



    public async Task<bool> RenameAsync(string userId, Guid id, string name, CancellationToken cancellationToken = default)
    {
        var clean = CleanName(name);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var renamed = await db.TotpAuthenticators.Where(a => a.Id == id && a.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, clean), cancellationToken) == 1;
        if (renamed)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AuthenticatorRenamed, AuditOutcome.Success, userId, userId, Detail: $"id={id}"), cancellationToken);
        }
        return renamed;
    }


    private async Task<int> TotpWindowAsync(CancellationToken cancellationToken) =>
        (await policies.CurrentAsync(cancellationToken)).Otp.TotpWindow;

    public static string CleanName(string? name)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return "Authenticator app";
        }
        return trimmed.Length <= 64 ? trimmed : trimmed[..64];
    }
}
