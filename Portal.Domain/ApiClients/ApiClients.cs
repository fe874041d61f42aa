using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.ApiClients;

/// <summary>
/// API clients: create (the key is returned once), list, revoke, and authenticate a presented key. Authentication runs
/// on every API call, so an accepted key is remembered for <see cref="CacheLifetime"/>: a revocation on this node takes
/// effect at once, on other nodes within that time.
/// </summary>
public sealed class ApiClients(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit)
{
    public const int MaxNameLength = 100;

    /// <summary>How long an accepted key is trusted without asking the database (and so how late a revocation can be on another node).</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Keyed by the key's hash, never the key; only accepted keys are cached, so junk keys cannot grow it.
    private readonly ConcurrentDictionary<string, CachedClient> cache = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The name is empty, too long or has control characters.</exception>
    public async Task<ApiClientCreated> CreateAsync(string name, string? createdBy, CancellationToken cancellationToken = default)
    {
        var cleanName = ValidateName(name);
        var id = ApiKeys.NewId();
        var key = ApiKeys.NewKey(id);
        var client = new ApiClient
        {
            Id = id,
            Name = cleanName,
            KeyPrefix = ApiKeys.DisplayPrefix(id),
            KeyHash = ApiKeys.Hash(key),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = createdBy,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.ApiClients.Add(client);
            await db.SaveChangesAsync(cancellationToken);
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.ApiClientCreated, AuditOutcome.Success, createdBy, id,
            Detail: $"client={id}; name={cleanName}{(createdBy is null ? "; by create-api-client" : "")}"), cancellationToken);
        return new ApiClientCreated(id, cleanName, client.KeyPrefix, key);
    }

    public async Task<IReadOnlyList<ApiClientView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiClients.AsNoTracking().OrderBy(c => c.RevokedAt != null).ThenByDescending(c => c.CreatedAt)
            .ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }

    /// <summary>Revokes a client's key for good; false when it is unknown or already revoked.</summary>
    public async Task<bool> RevokeAsync(string id, string? actorId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var revoked = await db.ApiClients.Where(c => c.Id == id && c.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, now), cancellationToken) == 1;
        foreach (var entry in cache.Where(e => e.Value.Client.Id == id))
        {
            cache.TryRemove(entry.Key, out _);
        }
        if (revoked)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.ApiClientRevoked, AuditOutcome.Success, actorId, id, Detail: $"client={id}"), cancellationToken);
        }
        return revoked;
    }

    /// <summary>The client a presented key belongs to; null when it is malformed, unknown or revoked.</summary>
    public async ValueTask<AuthenticatedClient?> AuthenticateAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!ApiKeys.TryParseId(key, out var id))
        {
            return null;
        }
        var hash = ApiKeys.Hash(key!);
        var cacheKey = Convert.ToBase64String(hash);
        var now = time.GetUtcNow();
        if (cache.TryGetValue(cacheKey, out var cached) && cached.ValidUntil > now)
        {
            return cached.Client;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiClients.AsNoTracking()
            .Where(c => c.Id == id && c.RevokedAt == null)
            .Select(c => new { c.Id, c.Name, c.KeyHash })
            .SingleOrDefaultAsync(cancellationToken);
        // Constant time: how much of a guessed key matched must not leak through timing.
        if (row is null || !CryptographicOperations.FixedTimeEquals(hash, row.KeyHash))
        {
            cache.TryRemove(cacheKey, out _);
            return null;
        }
        var client = new AuthenticatedClient(row.Id, row.Name);
        cache[cacheKey] = new CachedClient(client, now + CacheLifetime);

        // At most one write a minute per client, and only on a cache miss: "last used" is for people, not accounting.
        var stale = now - LastUsedResolution;
        await db.ApiClients.Where(c => c.Id == id && (c.LastUsedAt == null || c.LastUsedAt < stale))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), cancellationToken);
        return client;
    }

    /// <summary>Trimmed and checked: a name is shown to admins and written to the audit log.</summary>
    public static string ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("Give the client a name, for example the application that will use the key.", nameof(name));
        }
        if (trimmed.Length > MaxNameLength)
        {
            throw new ArgumentException($"The name is longer than {MaxNameLength} characters.", nameof(name));
        }
        if (trimmed.Any(char.IsControl))
        {
            throw new ArgumentException("The name cannot contain control characters.", nameof(name));
        }
        return trimmed;
    }

    private static ApiClientView View(ApiClient c) => new(
        c.Id, c.Name, c.KeyPrefix, c.CreatedAt, c.CreatedBy,
        c.LastUsedAt, c.RevokedAt);

    private sealed record CachedClient(AuthenticatedClient Client, DateTimeOffset ValidUntil);
}
