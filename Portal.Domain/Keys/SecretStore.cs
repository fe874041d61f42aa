using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Keys;

/// <summary>One version of a named install secret.</summary>
public sealed record InstallSecret(string Name, int Version, byte[] Key)
{
    /// <summary>
    /// The keyed hash (HMAC-SHA256, base64url) of <paramref name="input"/> under this version, tagged with the version
    /// ("v2:…"; version 1 is untagged, as every value stored before versions was), so a look-up knows which key made it.
    /// </summary>
    public string KeyedHash(string input)
    {
        var mac = Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(input))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Version == 1 ? mac : $"{Tag}{mac}";
    }

    /// <summary>How a value made under this version starts ("" for version 1).</summary>
    public string Tag => Version == 1 ? "" : $"v{Version}:";

    /// <summary>The version a tagged value was made with (1 when it carries no tag).</summary>
    public static int VersionOf(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && value[0] == 'v' && int.TryParse(value.AsSpan(1, colon - 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : 1;
    }
}

/// <summary>
/// The install's named secrets (keyed-hash keys, the checkpoint signing key), shared by every node: random bytes
/// created once, wrapped with Data Protection (whose keys are in the same database) and stored by name and version.
/// Every secret is loaded at start (<see cref="InitializeAsync"/>) and kept in memory once read; a failed read is not
/// remembered, so a database that was briefly unreachable does not leave a service without its key until a restart.
/// A new version (<see cref="AddVersionAsync"/>) becomes the one new values are made with; the older ones stay, so a
/// look-up hashes under every version and nothing stored before is orphaned.
/// </summary>
public sealed class SecretStore(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector protector = protection.CreateProtector("Tessera.Keys.SecretStore");

    /// <summary>How long a node uses the versions it read before reading them again (another node may have added one).</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(5);

    // Only successful reads, newest version first: the hot paths (every code check, every send) get their key without a
    // database round trip, and read again at most every RefreshEvery.
    private readonly ConcurrentDictionary<string, Loaded> loaded = new(StringComparer.Ordinal);

    private sealed record Loaded(IReadOnlyList<InstallSecret> Versions, DateTimeOffset At);

    /// <summary>Loads every stored secret; a missing or unreadable key ring fails the start here, naming the secret.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var name in (await db.ProtectedSecrets.AsNoTracking().ToListAsync(cancellationToken)).GroupBy(s => s.Name))
        {
            loaded[name.Key] = new Loaded(Unwrap(name), time.GetUtcNow());
        }
    }

    /// <summary>The newest version's key, created on first use.</summary>
    public async Task<byte[]> GetOrCreateAsync(string name, int length, CancellationToken cancellationToken = default) =>
        (await VersionsAsync(name, length, cancellationToken))[0].Key;

    /// <summary>The version new values are made with.</summary>
    public async Task<InstallSecret> CurrentAsync(string name, int length, CancellationToken cancellationToken = default) =>
        (await VersionsAsync(name, length, cancellationToken))[0];

    /// <summary>Every version this node knows, newest first (a look-up hashes under each).</summary>
    public ValueTask<IReadOnlyList<InstallSecret>> VersionsAsync(string name, int length, CancellationToken cancellationToken = default)
    {
        if (!loaded.TryGetValue(name, out var known))
        {
            return new(ReloadAsync(name, length, cancellationToken));
        }
        return time.GetUtcNow() - known.At < RefreshEvery ? new(known.Versions) : new(RefreshAsync(name, length, known, cancellationToken));
    }

    /// <summary>Reads the versions again: another node may have added one since this node loaded them.</summary>
    public async Task<IReadOnlyList<InstallSecret>> ReloadAsync(string name, int length, CancellationToken cancellationToken = default)
    {
        var versions = await ReadOrCreateAsync(name, length, cancellationToken);
        loaded[name] = new Loaded(versions, time.GetUtcNow());
        return versions;
    }

    /// <summary>A periodic re-read that fails (the database is briefly away) keeps the versions this node has.</summary>
    private async Task<IReadOnlyList<InstallSecret>> RefreshAsync(string name, int length, Loaded known, CancellationToken cancellationToken)
    {
        try
        {
            return await ReloadAsync(name, length, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return known.Versions;
        }
    }

    /// <summary>
    /// One version (a value records the version it was made with); null when it is not stored, or was retired. A
    /// version this node has not seen yet (another node added it) is read once more before giving up.
    /// </summary>
    public async Task<InstallSecret?> VersionAsync(string name, int length, int version, CancellationToken cancellationToken = default)
    {
        var known = await VersionsAsync(name, length, cancellationToken);
        if (known.FirstOrDefault(v => v.Version == version) is { } found)
        {
            return found;
        }
        return version > known[0].Version
            ? (await ReloadAsync(name, length, cancellationToken)).FirstOrDefault(v => v.Version == version)
            : null;
    }

    /// <summary>
    /// Destroys an old version: what was made with it can no longer be linked or checked by anyone. The current version
    /// is never retired. Another node drops the version from memory at its next reload.
    /// </summary>
    public async Task<bool> RetireAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var known = await ReloadAsync(name, 32, cancellationToken);
        if (version >= known[0].Version)
        {
            return false;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.ProtectedSecrets.Where(s => s.Name == name && s.Version == version).ExecuteDeleteAsync(cancellationToken);
        }
        await ReloadAsync(name, 32, cancellationToken);
        return true;
    }

    /// <summary>Every stored version of every secret, newest first per name, without unwrapping a key (for the status pages).</summary>
    public async Task<ILookup<string, (int Version, DateTimeOffset CreatedAt)>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ProtectedSecrets.AsNoTracking().Select(s => new { s.Name, s.Version, s.CreatedAt }).ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.Version).ToLookup(r => r.Name, r => (r.Version, r.CreatedAt), StringComparer.Ordinal);
    }

    /// <summary>When a version was made.</summary>
    public async Task<DateTimeOffset> CreatedAtAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ProtectedSecrets.AsNoTracking().Where(s => s.Name == name && s.Version == version)
            .Select(s => s.CreatedAt).SingleAsync(cancellationToken);
    }

    /// <summary>Adds a version and makes it current. Two nodes adding at once: one insert wins, both end up on it.</summary>
    public async Task<InstallSecret> AddVersionAsync(string name, int length, CancellationToken cancellationToken = default)
    {
        var newest = (await ReloadAsync(name, length, cancellationToken))[0].Version;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.ProtectedSecrets.Add(NewRow(name, newest + 1, length));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node added this version first: theirs is the current one.
            }
        }
        return (await ReloadAsync(name, length, cancellationToken))[0];
    }

    private IReadOnlyList<InstallSecret> Unwrap(IEnumerable<ProtectedSecret> rows) =>
        rows.OrderByDescending(r => r.Version).Select(r => new InstallSecret(r.Name, r.Version, Unwrap(r))).ToList();

    private byte[] Unwrap(ProtectedSecret row)
    {
        try
        {
            return protector.Unprotect(Convert.FromBase64String(row.ProtectedValue));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CryptographicException(
                $"The install secret '{row.Name}' (version {row.Version}) cannot be unwrapped: the Data Protection keys that wrapped it are missing (check DataProtection:CertificatePath) or the row was altered.", ex);
        }
    }

    private ProtectedSecret NewRow(string name, int version, int length) => new()
    {
        Name = name,
        Version = version,
        ProtectedValue = Convert.ToBase64String(protector.Protect(RandomNumberGenerator.GetBytes(length))),
        CreatedAt = time.GetUtcNow(),
    };

    private async Task<IReadOnlyList<InstallSecret>> ReadOrCreateAsync(string name, int length, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var existing = await db.ProtectedSecrets.AsNoTracking().Where(s => s.Name == name).ToListAsync(cancellationToken);
            if (existing.Count > 0)
            {
                return Unwrap(existing);
            }
            db.ProtectedSecrets.Add(NewRow(name, 1, length));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node created it first: theirs wins, so every node uses the same secret.
            }
        }
        await using var again = await dbFactory.CreateDbContextAsync(cancellationToken);
        return Unwrap(await again.ProtectedSecrets.AsNoTracking().Where(s => s.Name == name).ToListAsync(cancellationToken));
    }
}
