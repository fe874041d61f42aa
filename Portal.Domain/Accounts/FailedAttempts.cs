using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>
/// One reserved attempt: whether it was granted, and the lockouts it set when it was the one that reached a threshold
/// (the network's, and the account's daily ceiling).
/// </summary>
public readonly record struct AttemptReservation(bool Granted, DateTimeOffset? NetworkLockUntil, DateTimeOffset? AccountLockUntil = null, string? Network = null)
{
    /// <summary>The lockout this reservation set, if any.</summary>
    public DateTimeOffset? SetLockoutUntil => AccountLockUntil ?? NetworkLockUntil;
}

/// <summary>
/// The failure budgets of an account, for passwords and second factors alike, kept with single SQL statements so that
/// concurrent guesses can neither lose a failure nor slip past a threshold. Each guess first reserves one failure,
/// before the secret is even looked at, in two budgets: the account's from that network (a password guess counts for
/// the network it came from; a code or a re-check, which come after the password, for "*"), which locks the account for
/// that network at <see cref="FailureLimits.PerNetwork"/>; and the account's across all networks, Identity's
/// AccessFailedCount and LockoutEnd, which lock it everywhere for a day at <see cref="FailureLimits.PerDay"/> consecutive
/// failures (and hold an administrator's lock). Only a success gives a reservation back. Identity's own
/// read-modify-write (<c>AccessFailedAsync</c>) must never touch these: it loses colliding failures.
/// </summary>
public sealed partial class FailedAttempts(
    IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<IdentityOptions> identity, FailureLimits? configured = null,
    SecurityNotices? notices = null)
{
    /// <summary>The budget of the steps after the password: codes, passkeys as a second factor, step-up, re-checks.</summary>
    public const string AnyNetwork = "*";

    private FailureLimits Limits => configured ?? new FailureLimits(identity.Value.Lockout.MaxFailedAccessAttempts, identity.Value.Lockout.DefaultLockoutTimeSpan);

    /// <summary>Reserves one attempt; false when the account is locked out (the secret must not even be checked).</summary>
    public async Task<bool> TryReserveAsync(string userId, CancellationToken cancellationToken = default) =>
        (await ReserveAsync(userId, AnyNetwork, cancellationToken)).Granted;

    public Task<AttemptReservation> ReserveAsync(string userId, CancellationToken cancellationToken = default) =>
        ReserveAsync(userId, AnyNetwork, cancellationToken);

    /// <param name="network">Where the guess comes from (<c>Contacts.Networks.Of</c>), or <see cref="AnyNetwork"/>.</param>
    public async Task<AttemptReservation> ReserveAsync(string userId, string network, CancellationToken cancellationToken = default)
    {
        var account = await ReserveAccountAsync(userId, cancellationToken);
        if (!account.Granted)
        {
            return default;
        }
        var limits = Limits;
        var now = time.GetUtcNow();
        // Whole microseconds, what both providers store: the value compared later is the value written.
        var lockUntil = Instants.Truncate(now + limits.Lockout);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One statement on both providers: a locked budget whose lockout has not run out updates nothing and returns
        // no row; one whose lockout ran out starts again at 1; the failure that reaches the threshold sets the lockout.
        var max = limits.PerNetwork;
        var lockParameter = Instants.Parameter(db.Database, lockUntil);
        var firstLock = max <= 1 ? lockParameter : null;
        var nowParameter = Instants.Parameter(db.Database, now);
        var counted = await db.Database.SqlQuery<int>($"""
            INSERT INTO "FailureBudgets" ("UserId", "Network", "Failures", "LockedUntil", "LastFailureAt")
            VALUES ({userId}, {network}, 1, {firstLock}, {nowParameter})
            ON CONFLICT ("UserId", "Network") DO UPDATE SET
                "Failures" = CASE WHEN "FailureBudgets"."LockedUntil" IS NOT NULL THEN 1 ELSE "FailureBudgets"."Failures" + 1 END,
                "LastFailureAt" = {nowParameter},
                "LockedUntil" = CASE
                    WHEN "FailureBudgets"."LockedUntil" IS NOT NULL THEN (CASE WHEN 1 >= {max} THEN {lockParameter} ELSE NULL END)
                    WHEN "FailureBudgets"."Failures" + 1 >= {max} THEN {lockParameter}
                    ELSE NULL END
            WHERE "FailureBudgets"."LockedUntil" IS NULL OR "FailureBudgets"."LockedUntil" <= {nowParameter}
            RETURNING "Failures" AS "Value"
            """).ToListAsync(cancellationToken);
        if (counted.Count == 0)
        {
            // Locked for this network: the account-wide reservation goes back, this guess was never checked.
            await ReleaseAccountAsync(userId, account.AccountLockUntil, cancellationToken);
            return default;
        }
        return new AttemptReservation(true, counted[0] >= max ? lockUntil : null, account.AccountLockUntil, network);
    }

    /// <summary>The sign-in is complete: the budgets of that network and of the later steps are whole again, lockouts lifted.</summary>
    public async Task SucceededAsync(string userId, CancellationToken cancellationToken = default) =>
        await SucceededAsync(userId, AnyNetwork, cancellationToken);

    public async Task SucceededAsync(string userId, string network, CancellationToken cancellationToken)
    {
        var failureLockoutAtMost = time.GetUtcNow() + FailureLimits.DayLockout;
        // An administrator's lock (far beyond any failure lockout) is never lifted by a success.
        await GiveBackAccountAsync(userId, all: true, end => end is null || end <= failureLockoutAtMost, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.FailureBudgets.Where(b => b.UserId == userId && (b.Network == network || b.Network == AnyNetwork)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Whoever proved the mailbox (a reset) or an administrator's unlock: every budget of the account is whole again, from
    /// every network (never an administrator's lock).
    /// </summary>
    public async Task ClearAsync(string userId, CancellationToken cancellationToken = default)
    {
        var failureLockoutAtMost = time.GetUtcNow() + FailureLimits.DayLockout;
        await GiveBackAccountAsync(userId, all: true, end => end is null || end <= failureLockoutAtMost, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.FailureBudgets.Where(b => b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// One step of a sign-in succeeded but the sign-in is not complete (the password was right, a second factor is
    /// owed): only this reservation is given back, so knowing the password does not refill the budget for guessing codes.
    /// </summary>
    public async Task ReleaseAsync(string userId, AttemptReservation reservation, CancellationToken cancellationToken = default)
    {
        if (!reservation.Granted)
        {
            return;
        }
        await ReleaseAccountAsync(userId, reservation.AccountLockUntil, cancellationToken);
        var network = reservation.Network ?? AnyNetwork;
        var mine = reservation.NetworkLockUntil;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.FailureBudgets.Where(b => b.UserId == userId && b.Network == network && b.Failures > 0)
            .ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Failures, b => b.Failures - 1)
                .SetProperty(b => b.LockedUntil, b => mine != null && b.LockedUntil == mine ? null : b.LockedUntil), cancellationToken);
    }

    /// <summary>Failures left before the account locks for <paramref name="network"/>; null when lockout is off for it.</summary>
    public async Task<int?> RemainingAsync(string userId, string network = AnyNetwork, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.AccessFailedCount, u.LockoutEnabled }).SingleOrDefaultAsync(cancellationToken);
        if (state is not { LockoutEnabled: true })
        {
            return null;
        }
        var failures = await db.FailureBudgets.AsNoTracking().Where(b => b.UserId == userId && b.Network == network && b.LockedUntil == null)
            .Select(b => (int?)b.Failures).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var limits = Limits;
        return Math.Max(0, Math.Min(limits.PerNetwork - failures, limits.PerDay - state.AccessFailedCount));
    }

    /// <summary>The account's consecutive failures today, any step, any network (a risk feature).</summary>
    public async Task<int> FailuresTodayAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<bool> IsLockedOutAsync(string userId, CancellationToken cancellationToken = default) =>
        await LockedUntilAsync(userId, AnyNetwork, cancellationToken) is not null;

    public Task<DateTimeOffset?> LockedUntilAsync(string userId, CancellationToken cancellationToken = default) =>
        LockedUntilAsync(userId, AnyNetwork, cancellationToken);

    /// <summary>When the account's lockout for <paramref name="network"/> ends (the later of its own and the account's), or null.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string userId, string network, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.LockoutEnabled).Select(u => u.LockoutEnd).SingleOrDefaultAsync(cancellationToken);
        var budget = await db.FailureBudgets.AsNoTracking().Where(b => b.UserId == userId && b.Network == network).Select(b => b.LockedUntil).SingleOrDefaultAsync(cancellationToken);
        var ends = new[] { account, budget }.Where(e => e > now).ToList();
        return ends.Count == 0 ? null : ends.Max();
    }

    /// <summary>The account-wide reservation: the daily ceiling of consecutive failures, across every network.</summary>
    private async Task<AttemptReservation> ReserveAccountAsync(string userId, CancellationToken cancellationToken)
    {
        var max = Limits.PerDay;
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
        var lockUntil = Instants.Truncate(now + FailureLimits.DayLockout);
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
        return new AttemptReservation(true, null, end == lockUntil ? lockUntil : null);
    }

    private Task ReleaseAccountAsync(string userId, DateTimeOffset? lockedAt, CancellationToken cancellationToken) =>
        GiveBackAccountAsync(userId, all: false, end => lockedAt is not null && end == lockedAt, cancellationToken);

    private async Task GiveBackAccountAsync(string userId, bool all, Func<DateTimeOffset?, bool> liftLockout, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.LockoutEnd, u.ConcurrencyStamp }).SingleOrDefaultAsync(cancellationToken);
        if (state is null)
        {
            return;
        }
        var users = db.Users.Where(u => u.Id == userId && (all || u.AccessFailedCount > 0));
        // The concurrency stamp makes sure that an administrator's lock written since the read (through UserManager,
        // which changes it) is not lifted.
        if (state.LockoutEnd is not null && liftLockout(state.LockoutEnd)
            && await users.Where(u => u.ConcurrencyStamp == state.ConcurrencyStamp).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.AccessFailedCount, u => all ? 0 : u.AccessFailedCount - 1)
                .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null), cancellationToken) == 1)
        {
            return;
        }
        await users.ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, u => all ? 0 : u.AccessFailedCount - 1), cancellationToken);
    }
}
