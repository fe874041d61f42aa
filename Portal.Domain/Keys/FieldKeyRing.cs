using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Keys;

/// <summary>
/// The field-encryption keys, held unwrapped in memory so that EF's (synchronous) value converters can encrypt and
/// decrypt without a database round trip. The database is the source of truth: every node loads the same keys.
/// </summary>
public sealed class FieldKeyRing(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider time)
    : IFieldEncryptor
{
    internal const string ProtectorPurpose = "Tessera.Keys.FieldKeys";

    private readonly IDataProtector protector = protection.CreateProtector(ProtectorPurpose);
    private readonly Lock reloadLock = new();

    // Replaced whole, never mutated: readers on other threads always see one consistent set.
    private volatile KeySet? keys;

    /// <summary>Loads every key, creating the first active key when there is none. Safe on several nodes at once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var rows = await ReadKeysAsync(cancellationToken);
        if (!rows.Any(k => k.IsActive))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.FieldKeys.Add(NewKey(rows.Count == 0 ? 1 : rows.Max(k => k.Id) + 1));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node created it first (same id, or the one-active-key index): use theirs.
            }
            rows = await ReadKeysAsync(cancellationToken);
        }
        keys = Unwrap(rows, keys);
    }

    /// <summary>Creates a new key and makes it the only active one; values under older keys still decrypt.</summary>
    /// <remarks>Two nodes rotating at the same moment collide on the key id or the one-active-key index (or, on
    /// SQLite, on the write lock): the loser's call throws and its caller, the rotation job, retries.</remarks>
    public async Task<int> AddActiveKeyAsync(CancellationToken cancellationToken = default)
    {
        int id;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            id = (await db.FieldKeys.MaxAsync(k => (int?)k.Id, cancellationToken) ?? 0) + 1;
            await db.FieldKeys.Where(k => k.IsActive)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.IsActive, false), cancellationToken);
            db.FieldKeys.Add(NewKey(id));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        keys = Unwrap(await ReadKeysAsync(cancellationToken), keys);
        return id;
    }

    public string Encrypt(byte[] plaintext)
    {
        var current = keys ?? throw NotInitialized();
        return FieldCipher.Seal(current.ActiveId, current.Material[current.ActiveId], plaintext);
    }

    public byte[] Decrypt(string stored)
    {
        var current = keys ?? throw NotInitialized();
        var (keyId, sealedBytes) = FieldCipher.Parse(stored);
        if (!current.Material.TryGetValue(keyId, out var key))
        {
            // Another node may have rotated since this one loaded: look once in the database before refusing.
            current = ReloadOnce(current);
            if (!current.Material.TryGetValue(keyId, out key))
            {
                throw new CryptographicException($"The stored field value names field key {keyId}, which is not in the key ring.");
            }
        }
        return FieldCipher.Open(keyId, key, sealedBytes);
    }

    private KeySet ReloadOnce(KeySet seen)
    {
        // Synchronous on purpose: this runs inside an EF value converter, which cannot await.
        lock (reloadLock)
        {
            if (!ReferenceEquals(keys, seen))
            {
                return keys!;
            }
            using var db = dbFactory.CreateDbContext();
            var reloaded = Unwrap(db.FieldKeys.AsNoTracking().ToList(), seen);
            keys = reloaded;
            return reloaded;
        }
    }

    private async Task<List<FieldKey>> ReadKeysAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.FieldKeys.AsNoTracking().ToListAsync(cancellationToken);
    }

    private FieldKey NewKey(int id) => new()
    {
        Id = id,
        ProtectedMaterial = Convert.ToBase64String(protector.Protect(RandomNumberGenerator.GetBytes(FieldCipher.KeySize))),
        CreatedAt = time.GetUtcNow(),
        IsActive = true,
    };

    private KeySet Unwrap(IReadOnlyCollection<FieldKey> rows, KeySet? known)
    {
        var material = new Dictionary<int, byte[]>(rows.Count);
        foreach (var row in rows)
        {
            material[row.Id] = known is not null && known.Material.TryGetValue(row.Id, out var key) ? key : UnwrapOne(row);
        }
        var active = rows.Where(k => k.IsActive).Select(k => (int?)k.Id).SingleOrDefault()
            ?? throw new InvalidOperationException("The field key ring has no active key: FieldKeyRing.InitializeAsync creates one.");
        return new KeySet(active, material);
    }

    private byte[] UnwrapOne(FieldKey row)
    {
        byte[] key;
        try
        {
            key = protector.Unprotect(Convert.FromBase64String(row.ProtectedMaterial));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CryptographicException(
                $"Field key {row.Id} cannot be unwrapped: the Data Protection keys that wrapped it are missing or the row was altered.", ex);
        }
        return key.Length == FieldCipher.KeySize
            ? key
            : throw new CryptographicException($"Field key {row.Id} does not unwrap to a {FieldCipher.KeySize}-byte key.");
    }

    private static InvalidOperationException NotInitialized() =>
        new("The field key ring is not loaded: call FieldKeyRing.InitializeAsync at startup (PrepareDatabaseAsync does, after migrating) before reading or writing encrypted columns.");

    private sealed record KeySet(int ActiveId, IReadOnlyDictionary<int, byte[]> Material);
}
