using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>One row of "Sessions and devices".</summary>
public sealed record SessionView(string Id, string? Device, string? IpDisplay, string? Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

/// <summary>
/// The sign-in sessions of users: started when the cookie is issued, checked on every request that carries it,
/// ended by sign-out or revocation. A short cache keeps the check cheap: a revocation on this node evicts the entry
/// and takes effect at once; other nodes see it within <see cref="CacheLifetime"/>.
/// </summary>
public sealed class UserSessions(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IMemoryCache cache, IpPseudonymizer ips)
{
    public const string ClaimType = "sid";

    /// <summary>Last seen is written at most this often per session.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>A session idle this long is over: the sign-in cookie (14 days, sliding) has expired too.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromDays(14);

    /// <summary>Ended and expired rows are kept this long (for the user's and the admin's view of recent history), then purged.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    public async Task<string> StartAsync(string userId, string? userAgent, string? ipAddress, string? method, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var session = new UserSession
        {
            Id = Base64Url(RandomNumberGenerator.GetBytes(16)),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now.ToUnixTimeMilliseconds(),
            Device = UserAgentSummary.Summarize(userAgent),
            IpPseudonym = await ips.PseudonymizeAsync(ipAddress),
            IpDisplay = Truncate(ipAddress),
            Method = method,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }

    /// <summary>Whether the session is alive and the user's; touches last seen at most once per <see cref="TouchInterval"/>.</summary>
    public async Task<bool> ValidateAsync(string? sessionId, string? userId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionId) || string.IsNullOrEmpty(userId))
        {
            return false;
        }
        if (cache.TryGetValue(CacheKey(sessionId), out string? cachedUser))
        {
            return cachedUser == userId;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.UserSessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .Select(s => new { s.LastSeenAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null || row.LastSeenAt <= now - (long)IdleLifetime.TotalMilliseconds)
        {
            return false;
        }
        var due = now - (long)TouchInterval.TotalMilliseconds;
        if (row.LastSeenAt <= due)
        {
            // Conditional: two nodes (or two requests) touching at once write once.
            await db.UserSessions.Where(s => s.Id == sessionId && s.LastSeenAt <= due)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken);
        }
        cache.Set(CacheKey(sessionId), userId, CacheLifetime);
        return true;
    }

    /// <summary>The user's live sessions, most recently seen first.</summary>
    public async Task<IReadOnlyList<SessionView>> ListActiveAsync(string userId, CancellationToken cancellationToken = default)
    {
        var idleSince = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)IdleLifetime.TotalMilliseconds;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.LastSeenAt > idleSince)
            .OrderByDescending(s => s.LastSeenAt)
            .ToListAsync(cancellationToken);
        return rows.Select(s => new SessionView(s.Id, s.Device, s.IpDisplay, s.Method, s.CreatedAt,
            DateTimeOffset.FromUnixTimeMilliseconds(s.LastSeenAt))).ToList();
    }

    /// <summary>Ends one session of this user; false when it is not theirs or already ended.</summary>
    public async Task<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        await RevokeWhereAsync(s => s.UserId == userId && s.Id == sessionId, cancellationToken) > 0;

    /// <summary>Ends every session of the user but <paramref name="keepSessionId"/> (the caller's own).</summary>
    public Task<int> RevokeAllExceptAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(s => s.UserId == userId && s.Id != keepSessionId, cancellationToken);

    public Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(s => s.UserId == userId, cancellationToken);

    /// <summary>Sign-out: the session ends whoever owns it (the caller holds its cookie).</summary>
    public Task<int> EndAsync(string sessionId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(s => s.Id == sessionId, cancellationToken);

    /// <summary>Deletes rows ended or idle for longer than <see cref="Retention"/>; safe to run twice.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)Retention.TotalMilliseconds;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserSessions.Where(s => s.RevokedAt < before || s.LastSeenAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<int> RevokeWhereAsync(System.Linq.Expressions.Expression<Func<UserSession, bool>> filter, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = await db.UserSessions.Where(filter).Where(s => s.RevokedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ended = await db.UserSessions.Where(s => ids.Contains(s.Id) && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), cancellationToken);
        foreach (var id in ids)
        {
            cache.Remove(CacheKey(id));
        }
        return ended;
    }

    /// <summary>IPv4 keeps its first three bytes, IPv6 its first 48 bits: a network, not a host.</summary>
    public static string? Truncate(string? ipAddress)
    {
        if (!IPAddress.TryParse(ipAddress?.Trim(), out var ip))
        {
            return null;
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        var bytes = ip.GetAddressBytes();
        if (bytes.Length == 4)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.x";
        }
        Array.Clear(bytes, 6, bytes.Length - 6);
        return new IPAddress(bytes) + "/48";
    }

    private static string CacheKey(string sessionId) => "user-session:" + sessionId;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
