using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Turns a user id into the pseudonym the audit log stores ("u_…", an HMAC of the id under a per-user secret) and
/// back. Other ids (API clients, system actors) are stored as they are. Erasing a user shreds their secret
/// (<see cref="ShredAsync"/>): their events stay in the chain, and still verify, but name nobody.
/// </summary>
public sealed class AuditPseudonyms(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const string Prefix = "u_";

    // A pseudonym never changes while its user exists, so a node may keep it; Shred removes it from this node's memory
    // (another node's copy maps to nothing once the row is gone).
    private readonly ConcurrentDictionary<string, string> byUser = new(StringComparer.Ordinal);

    /// <summary>Identity's user ids are GUIDs in "D" form; API client ids and the tests' system actors are not.</summary>
    public static bool IsUserId(string? id) => id is { Length: 36 } && Guid.TryParseExact(id, "D", out _);

    public static bool IsPseudonym(string? stored) => stored is not null && stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>What an event about <paramref name="id"/> stores: its pseudonym (created on first use) for a user id.</summary>
    public async Task<string?> ForWritingAsync(string? id, CancellationToken cancellationToken = default)
    {
        if (!IsUserId(id))
        {
            return id;
        }
        if (byUser.TryGetValue(id!, out var known))
        {
            return known;
        }
        var pseudonym = await FindStoredAsync(id!, cancellationToken) ?? await CreateAsync(id!, cancellationToken);
        byUser[id!] = pseudonym;
        return pseudonym;
    }

    /// <summary>
    /// What to look for in the log for <paramref name="id"/>: its pseudonym, or the id itself when it is not a user's
    /// or the user has no events yet (then it matches nothing).
    /// </summary>
    public async Task<string> ForSearchingAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsUserId(id))
        {
            return id;
        }
        if (byUser.TryGetValue(id, out var known))
        {
            return known;
        }
        return await FindStoredAsync(id, cancellationToken) ?? id;
    }

    /// <summary>The user ids behind stored actor and subject values; a shredded or non-user value is not in the map.</summary>
    public async Task<IReadOnlyDictionary<string, string>> UserIdsAsync(IEnumerable<string?> stored, CancellationToken cancellationToken = default)
    {
        var pseudonyms = stored.Where(IsPseudonym).Cast<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (pseudonyms.Length == 0)
        {
            return new Dictionary<string, string>();
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditSubjectKeys.AsNoTracking().Where(k => pseudonyms.Contains(k.Pseudonym))
            .ToDictionaryAsync(k => k.Pseudonym, k => k.UserId, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>Destroys the user's secret: from now on nothing ties their events to them. Safe to run twice.</summary>
    public async Task ShredAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.AuditSubjectKeys.Where(k => k.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        byUser.TryRemove(userId, out _);
    }

    internal static string Derive(byte[] secret, string userId)
    {
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"tessera.audit.subject.v1|{userId}"));
        return Prefix + Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<string?> FindStoredAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditSubjectKeys.AsNoTracking().Where(k => k.UserId == userId).Select(k => k.Pseudonym)
            .SingleOrDefaultAsync(cancellationToken);
    }

    private async Task<string> CreateAsync(string userId, CancellationToken cancellationToken)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditSubjectKeys.Add(new AuditSubjectKey
        {
            UserId = userId,
            Secret = secret,
            Pseudonym = Derive(secret, userId),
            CreatedAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return Derive(secret, userId);
        }
        catch (DbUpdateException)
        {
            // Another request (or node) created it first: theirs is the user's pseudonym.
            return await FindStoredAsync(userId, cancellationToken)
                ?? throw new InvalidOperationException("The audit pseudonym of a user could be neither created nor read.");
        }
    }
}
