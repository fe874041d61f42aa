using System.Linq.Expressions;

namespace Tessera.Domain.Keys;

/// <summary>
/// A named install secret and what its owner stores with it. The owning module knows what can be made again under a
/// new version (a phone number's hash from the encrypted number, a checkpoint's signature from its fields) and which
/// older versions a stored value still needs (a live code, a counter inside its window).
/// </summary>
public interface IVersionedSecret
{
    string Name { get; }

    /// <summary>What it protects, for people ("Phone number look-up").</summary>
    string Purpose { get; }

    /// <summary>Makes again, under the current version, every stored value that can be; returns how many. Safe to run again.</summary>
    Task<int> RemakeAsync(CancellationToken cancellationToken);

    /// <summary>Whether a stored value that is still used needs <paramref name="version"/> (an older one).</summary>
    Task<bool> InUseAsync(int version, CancellationToken cancellationToken);
}

/// <summary>What rotating one install secret did.</summary>
/// <param name="Version">The version new values are made with now.</param>
/// <param name="Remade">Values made again under it.</param>
/// <param name="Retired">Older versions destroyed because nothing needs them any more.</param>
public sealed record SecretRotated(string Name, int Version, int Remade, IReadOnlyList<int> Retired);

/// <summary>One install secret's versions, for <c>keys status</c> and /admin/keys.</summary>
public sealed record SecretVersions(string Name, string Purpose, int Current, DateTimeOffset CurrentSince, IReadOnlyList<int> Kept);

/// <summary>
/// Rotates every install secret with the field keys: a new version of each and what can be made again made under it.
/// Values that cannot be made again (a code's MAC, an address pseudonym in the audit chain) keep their version until
/// they are no longer used; look-ups meanwhile try every version. The daily <see cref="TidyAsync"/> destroys an older
/// version once nothing needs it and its successor has been current for <see cref="RetireAfter"/>, longer than any node
/// keeps its versions in memory (<see cref="SecretStore.RefreshEvery"/>), so no node still makes values with it.
/// </summary>
public sealed class SecretRotation(SecretStore store, IEnumerable<IVersionedSecret> secrets, TimeProvider time)
{
    public const int KeyLength = 32;

    public static readonly TimeSpan RetireAfter = TimeSpan.FromHours(1);

    public async Task<IReadOnlyList<SecretRotated>> RotateAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<SecretRotated>();
        foreach (var secret in secrets)
        {
            var version = await store.AddVersionAsync(secret.Name, KeyLength, cancellationToken);
            var remade = await secret.RemakeAsync(cancellationToken);
            results.Add(new SecretRotated(secret.Name, version.Version, remade, []));
        }
        return results;
    }

    /// <summary>
    /// The daily pass: finishes what a rotation cut short (values not yet made again) and destroys the versions that
    /// stopped being needed since (the last code under one expired, its counters' windows ended).
    /// </summary>
    public async Task<IReadOnlyList<SecretRotated>> TidyAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<SecretRotated>();
        foreach (var secret in secrets)
        {
            var current = await store.CurrentAsync(secret.Name, KeyLength, cancellationToken);
            var remade = await secret.RemakeAsync(cancellationToken);
            var retired = await RetireUnusedAsync(secret, cancellationToken);
            if (remade > 0 || retired.Count > 0)
            {
                results.Add(new SecretRotated(secret.Name, current.Version, remade, retired));
            }
        }
        return results;
    }

    public async Task<IReadOnlyList<SecretVersions>> StatusAsync(CancellationToken cancellationToken = default)
    {
        // One query for all of them: /admin/keys asks again while a rotation runs.
        var stored = await store.ListAsync(cancellationToken);
        return secrets.Where(s => stored.Contains(s.Name)).Select(s =>
        {
            var versions = stored[s.Name].ToList();
            return new SecretVersions(s.Name, s.Purpose, versions[0].Version, versions[0].CreatedAt, versions.Select(v => v.Version).ToList());
        }).ToList();
    }

    private async Task<IReadOnlyList<int>> RetireUnusedAsync(IVersionedSecret secret, CancellationToken cancellationToken)
    {
        var versions = await store.ReloadAsync(secret.Name, KeyLength, cancellationToken);
        var retired = new List<int>();
        if (time.GetUtcNow() - await store.CreatedAtAsync(secret.Name, versions[0].Version, cancellationToken) < RetireAfter)
        {
            return retired;
        }
        foreach (var old in versions.Skip(1))
        {
            if (!await secret.InUseAsync(old.Version, cancellationToken) && await store.RetireAsync(secret.Name, old.Version, cancellationToken))
            {
                retired.Add(old.Version);
            }
        }
        return retired;
    }
}

/// <summary>Queries over values tagged by <see cref="InstallSecret.KeyedHash"/>.</summary>
public static class SecretTags
{
    /// <summary>
    /// Rows whose <paramref name="value"/> was made under <paramref name="version"/>: version 1 values carry no tag, and a
    /// ':' never occurs in base64 or base64url, so they are the ones without one.
    /// </summary>
    public static IQueryable<T> MadeWith<T>(this IQueryable<T> rows, Expression<Func<T, string>> value, int version)
    {
        var parameter = value.Parameters[0];
        Expression test = version == 1
            ? Expression.Not(Expression.Call(value.Body, nameof(string.Contains), null, Expression.Constant(":")))
            : Expression.Call(value.Body, nameof(string.StartsWith), null, Expression.Constant($"v{version}:"));
        return rows.Where(Expression.Lambda<Func<T, bool>>(test, parameter));
    }

    /// <summary>Rows whose <paramref name="value"/> was not made under <paramref name="version"/>.</summary>
    public static IQueryable<T> NotMadeWith<T>(this IQueryable<T> rows, Expression<Func<T, string>> value, int version)
    {
        var parameter = value.Parameters[0];
        Expression test = version == 1
            ? Expression.Call(value.Body, nameof(string.Contains), null, Expression.Constant(":"))
            : Expression.Not(Expression.Call(value.Body, nameof(string.StartsWith), null, Expression.Constant($"v{version}:")));
        return rows.Where(Expression.Lambda<Func<T, bool>>(test, parameter));
    }
}
