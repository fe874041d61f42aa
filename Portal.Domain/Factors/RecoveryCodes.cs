using Tessera.Domain.Accounts;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>Recovery codes: shown once, stored as salted PBKDF2 hashes, each redeemable once.</summary>
public sealed class RecoveryCodes(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit, SecurityNotices notices, IOptions<FactorsOptions> options)
{
    // No 0/O, 1/I/L: codes are read off paper and typed by hand.
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private const int Iterations = 20_000;

    /// <summary>
    /// Replaces the user's codes with a new set (voiding the old one) and returns them, the only time they exist in
    /// clear; null without a valid step-up proof for it: a stolen session must not mint itself a way back in.
    /// </summary>
    public async Task<IReadOnlyList<string>?> RegenerateAsync(string userId, StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        if (proof is null || !await proof.SpendAsync(userId, StepUpPurposes.RegenerateRecoveryCodes, cancellationToken))
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.RecoveryCodesGenerated, AuditOutcome.Failure, userId, userId, Detail: "no valid step-up proof"), cancellationToken);
            return null;
        }
        var codes = await GenerateAsync(userId, cancellationToken);
        await notices.RecoveryCodesRegeneratedAsync(userId, cancellationToken);
        return codes;
    }

    /// <summary>
    /// The first set, with the first second factor: without codes a lost device would lock the user out for good. Only
    /// for a user who has never had a set (no proof needed: there is nothing to replace); null otherwise.
    /// </summary>
    public async Task<IReadOnlyList<string>?> IssueFirstAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.RecoveryCodes.AnyAsync(c => c.UserId == userId, cancellationToken))
            {
                return null;
            }
        }
        return await GenerateAsync(userId, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> GenerateAsync(string userId, CancellationToken cancellationToken)
    {
        var codes = Enumerable.Range(0, options.Value.RecoveryCodeCount).Select(_ => NewCode()).ToList();
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        foreach (var code in codes)
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            db.RecoveryCodes.Add(new RecoveryCode { UserId = userId, Salt = salt, Hash = Hash(Normalize(code), salt), CreatedAt = now });
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.RecoveryCodesGenerated, AuditOutcome.Success, userId, userId, Detail: $"count={codes.Count}"), cancellationToken);
        return codes;
    }

    /// <summary>Redeems a code: true once per code. The database, not memory, decides that it was unused.</summary>
    public async Task<bool> RedeemAsync(string userId, string code, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(code);
        if (normalized.Length != 10)
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var unused = await db.RecoveryCodes.AsNoTracking()
            .Where(c => c.UserId == userId && c.UsedAt == null)
            .Select(c => new { c.Id, c.Salt, c.Hash })
            .ToListAsync(cancellationToken);
        // Every candidate is hashed and compared in constant time, so timing says nothing about which one matched.
        Guid? match = null;
        foreach (var candidate in unused)
        {
            if (CryptographicOperations.FixedTimeEquals(Hash(normalized, candidate.Salt), candidate.Hash))
            {
                match = candidate.Id;
            }
        }
        if (match is not { } id)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var redeemed = await db.RecoveryCodes
            .Where(c => c.Id == id && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken) == 1;
        if (redeemed)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.RecoveryCodeUsed, AuditOutcome.Success, userId, userId), cancellationToken);
        }
        return redeemed;
    }

    public async Task<int> RemainingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);
    }

    /// <summary>
    /// Voids every code of the user, used or not. Only <see cref="FactorLifecycle.ResetAsync"/> calls it, after it spent
    /// the acting admin's step-up proof; it audits the reset. Internal so that nothing else can skip that proof.
    /// </summary>
    internal async Task<int> RemoveAllAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Codes look like "ABCDE-FGH23"; case, spaces and the dash do not matter when typed.</summary>
    public static string Normalize(string? code) =>
        new((code ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    private static string NewCode()
    {
        var chars = new char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
    }

    private static byte[] Hash(string normalized, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(normalized), salt, Iterations, HashAlgorithmName.SHA256, 32);
}
