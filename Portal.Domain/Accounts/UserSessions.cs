using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>One row of "Sessions and devices".</summary>
public sealed record SessionView(string Id, string? Device, string? IpDisplay, string? Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

/// <summary>What one check of a session found: whether it is alive, and the user's current security stamp.</summary>
public readonly record struct SessionCheck(bool Live, string? SecurityStamp);

/// <summary>
/// The sign-in sessions of users: started when the cookie is issued, checked on every request that carries it,
/// ended by sign-out or revocation. The rows are the truth and are read on every check, with no cache: a sign-out,
/// a revocation, a lock or a password reset is refused at the very next request on every node.
/// </summary>
public sealed class UserSessions(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IpPseudonymizer ips)
{
    public const string ClaimType = "sid";

    /// <summary>Last seen is written at most this often per session.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

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
            LastSeenAt = now,
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
    public async Task<bool> ValidateAsync(string? sessionId, string? userId, CancellationToken cancellationToken = default) =>
        (await CheckAsync(sessionId, userId, cancellationToken)).Live;

    /// <summary>
    /// One read: is the session alive and the user's, and what is the user's security stamp now (a changed stamp means
    /// a role change or another reason to rebuild the signed-in principal). Touches last seen at most once per
    /// <see cref="TouchInterval"/>.
    /// </summary>
    public async Task<SessionCheck> CheckAsync(string? sessionId, string? userId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionId) || string.IsNullOrEmpty(userId))
        {
            return default;
        }
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.UserSessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .Select(s => new { s.LastSeenAt, Stamp = db.Users.Where(u => u.Id == s.UserId).Select(u => u.SecurityStamp).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null || row.LastSeenAt <= now - IdleLifetime)
        {
            return default;
        }
        var due = now - TouchInterval;
        if (row.LastSeenAt <= due)
        {
            // Conditional: two nodes (or two requests) touching at once write once.
            await db.UserSessions.Where(s => s.Id == sessionId && s.LastSeenAt <= due)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken);
        }
        return new SessionCheck(true, row.Stamp);
    }

    /// <summary>
    /// A new security stamp for the user: a "remember this browser" cookie carries the old one and no longer skips the
    /// second step, and every signed-in principal is rebuilt (or, in a circuit, reloaded) at its next request.
    /// </summary>
    public async Task RotateSecurityStampAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        var concurrency = Guid.NewGuid().ToString();
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, stamp).SetProperty(x => x.ConcurrencyStamp, concurrency), cancellationToken);
    }

    /// <summary>The names of the user's roles as stored now (a signed-in principal may hold older ones).</summary>
    public async Task<IReadOnlyList<string>> RolesAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserRoles.Where(r => r.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The user's live sessions, most recently seen first.</summary>
    public async Task<IReadOnlyList<SessionView>> ListActiveAsync(string userId, CancellationToken cancellationToken = default)
    {
        var idleSince = time.GetUtcNow() - IdleLifetime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.LastSeenAt > idleSince)
            .OrderByDescending(s => s.LastSeenAt)
            .ToListAsync(cancellationToken);
        return rows.Select(s => new SessionView(s.Id, s.Device, s.IpDisplay, s.Method, s.CreatedAt,
            s.LastSeenAt)).ToList();
    }

    /// <summary>Ends one session of this user; false when it is not theirs or already ended.</summary>
    public async Task<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        await RevokeWhereAsync(s => s.UserId == userId && s.Id == sessionId, cancellationToken) > 0;

    /// <summary>
    /// Ends every session of the user but <paramref name="keepSessionId"/> (the caller's own), and forgets every
    /// remembered browser (a new security stamp), so none of them skips the second step at its next sign-in.
    /// </summary>
    public async Task<int> RevokeAllExceptAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default)
    {
        var ended = await RevokeWhereAsync(s => s.UserId == userId && s.Id != keepSessionId, cancellationToken);
        await RotateSecurityStampAsync(userId, cancellationToken);
        return ended;
    }

    public Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(s => s.UserId == userId, cancellationToken);

    /// <summary>
    /// Every session ends and the security stamp moves on, which also forgets every remembered browser and ends every
    /// sign-in still waiting for its second step: what "This wasn't me" does.
    /// </summary>
    public async Task<int> EndEverythingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await RotateSecurityStampAsync(userId, cancellationToken);
        return await RevokeAllAsync(userId, cancellationToken);
    }

    /// <summary>Sign-out: the session ends whoever owns it (the caller holds its cookie).</summary>
    public Task<int> EndAsync(string sessionId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(s => s.Id == sessionId, cancellationToken);

    /// <summary>Deletes rows ended or idle for longer than <see cref="Retention"/>; safe to run twice.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow() - Retention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserSessions.Where(s => s.RevokedAt < before || s.LastSeenAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<int> RevokeWhereAsync(System.Linq.Expressions.Expression<Func<UserSession, bool>> filter, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await db.UserSessions.Where(filter).Where(s => s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), cancellationToken);
    }

    /// <summary>IPv4 keeps its first three bytes, IPv6 its first 48 bits: a network, not a host.</summary>
    public static string? Truncate(string? ipAddress) => Contacts.Networks.Of(ipAddress);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
