using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>One reserved attempt: whether it was granted, and the lockout it set when it was the one that reached the threshold.</summary>
public readonly record struct AttemptReservation(bool Granted, DateTimeOffset? SetLockoutUntil);

/// <summary>
/// The one failure budget of an account, for passwords and second factors alike, kept with single SQL updates so
/// that concurrent guesses can neither lose a failure nor slip past the threshold. Each guess first reserves one
/// failure, before the secret is even looked at; the reservation that reaches the threshold also sets the lockout in
/// the same statement, and only a success gives a reservation back. It is Identity's AccessFailedCount and LockoutEnd,
/// which Identity's own read-modify-write (<c>AccessFailedAsync</c>) must never touch: it loses colliding failures.
/// </summary>
public sealed class FailedAttempts(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<IdentityOptions> identity)
{
    /// <summary>Reserves one attempt; false when the account is locked out (the secret must not even be checked).</summary>
    public async Task<bool> TryReserveAsync(string userId, CancellationToken cancellationToken = default) =>
        (await ReserveAsync(userId, cancellationToken)).Granted;

    public async Task<AttemptReservation> ReserveAsync(string userId, CancellationToken cancellationToken = default)
    {
        var lockout = identity.Value.Lockout;
        var max = lockout.MaxFailedAccessAttempts;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.AccessFailedCount, u.LockoutEnd, u.LockoutEnabled })
            .SingleOrDefaultAsync(cancellationToken);
        if (state is null || state.LockoutEnd > now)
        {
            return default;
        }
        if (state.LockoutEnabled && state.AccessFailedCount >= max)
        {
            // A lockout that has run out: a fresh budget. The count in the condition lets only one caller reset it.
            await db.Users.Where(u => u.Id == userId && u.AccessFailedCount == state.AccessFailedCount)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0), cancellationToken);
        }

        // Whole microseconds, what both providers store: the value read back below is the value written, so this
        // reservation can tell that it was the one that locked.
        var lockUntil = Instants.Truncate(now + lockout.DefaultLockoutTimeSpan);
        var reserved = await db.Users
            .Where(u => u.Id == userId && (!u.LockoutEnabled || u.AccessFailedCount < max))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.AccessFailedCount, u => u.AccessFailedCount + 1)
                .SetProperty(u => u.LockoutEnd, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= max ? lockUntil : u.LockoutEnd), cancellationToken);
        if (reserved != 1)
        {
            return default;
        }
        // Whether this reservation was the one that locked: only it may lift that lockout again if it succeeds.
        var end = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.LockoutEnd).SingleAsync(cancellationToken);
        return new AttemptReservation(true, end == lockUntil ? lockUntil : null);
    }

    /// <summary>The sign-in is complete: the budget is whole again and the provisional lockout is lifted.</summary>
    public async Task SucceededAsync(string userId, CancellationToken cancellationToken = default)
    {
        var failureLockoutAtMost = time.GetUtcNow() + identity.Value.Lockout.DefaultLockoutTimeSpan;
        // An administrator's lock (far beyond any failure lockout) is never lifted by a success.
        await GiveBackAsync(userId, all: true, end => end is null || end <= failureLockoutAtMost, cancellationToken);
    }

    /// <summary>
    /// One step of a sign-in succeeded but the sign-in is not complete (the password was right, a second factor is
    /// owed): only this reservation is given back, so knowing the password does not refill the budget for guessing codes.
    /// </summary>
    public async Task ReleaseAsync(string userId, AttemptReservation reservation, CancellationToken cancellationToken = default)
    {
        if (reservation.Granted)
        {
            var lockedAt = reservation.SetLockoutUntil;
            await GiveBackAsync(userId, all: false, end => lockedAt is not null && end == lockedAt, cancellationToken);
        }
    }

    private async Task GiveBackAsync(string userId, bool all, Func<DateTimeOffset?, bool> liftLockout, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.LockoutEnd, u.ConcurrencyStamp }).SingleOrDefaultAsync(cancellationToken);
        if (state is null)
        {
            return;
        }
        var users = db.Users.Where(u => u.Id == userId && (all || u.AccessFailedCount > 0));
        // The lockout is compared here, not in SQL (SQLite cannot order DateTimeOffset); the concurrency stamp makes sure
        // that an administrator's lock written since the read (through UserManager, which changes it) is not lifted.
        if (state.LockoutEnd is not null && liftLockout(state.LockoutEnd)
            && await users.Where(u => u.ConcurrencyStamp == state.ConcurrencyStamp).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.AccessFailedCount, u => all ? 0 : u.AccessFailedCount - 1)
                .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null), cancellationToken) == 1)
        {
            return;
        }
        await users.ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, u => all ? 0 : u.AccessFailedCount - 1), cancellationToken);
    }

    /// <summary>Failures left before the account locks; null when lockout is off for it.</summary>
    public async Task<int?> RemainingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.AccessFailedCount, u.LockoutEnabled }).SingleOrDefaultAsync(cancellationToken);
        return state is { LockoutEnabled: true } ? Math.Max(0, identity.Value.Lockout.MaxFailedAccessAttempts - state.AccessFailedCount) : null;
    }

    public async Task<bool> IsLockedOutAsync(string userId, CancellationToken cancellationToken = default) =>
        await LockedUntilAsync(userId, cancellationToken) is not null;

    /// <summary>When the account's lockout ends, or null when it is not locked out.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var end = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.LockoutEnd).SingleOrDefaultAsync(cancellationToken);
        return end > time.GetUtcNow() ? end : null;
    }
}
