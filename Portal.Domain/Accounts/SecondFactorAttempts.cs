using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>
/// The lockout budget for second-factor codes, kept with single SQL updates so that concurrent guesses can
/// neither lose a failure nor slip past the threshold. Each guess first reserves one failure; the reservation
/// that reaches the threshold also sets the lockout in the same statement, and only a success gives it back.
/// It shares Identity's AccessFailedCount and LockoutEnd, so password and code failures count together.
/// </summary>
public sealed class SecondFactorAttempts(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<IdentityOptions> identity)
{
    /// <summary>Reserves one attempt; false when the account is locked out (the code must not even be checked).</summary>
    public async Task<bool> TryReserveAsync(string userId, CancellationToken cancellationToken = default)
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
            return false;
        }
        if (state.LockoutEnabled && state.AccessFailedCount >= max)
        {
            // A lockout that has run out: a fresh budget. The count in the condition lets only one caller reset it.
            await db.Users.Where(u => u.Id == userId && u.AccessFailedCount == state.AccessFailedCount)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0), cancellationToken);
        }

        var lockUntil = now + lockout.DefaultLockoutTimeSpan;
        var reserved = await db.Users
            .Where(u => u.Id == userId && (!u.LockoutEnabled || u.AccessFailedCount < max))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.AccessFailedCount, u => u.AccessFailedCount + 1)
                .SetProperty(u => u.LockoutEnd, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= max ? lockUntil : u.LockoutEnd), cancellationToken);
        return reserved == 1;
    }

    /// <summary>The reserved attempt succeeded: the budget is whole again and the provisional lockout is lifted.</summary>
    public async Task SucceededAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0).SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null), cancellationToken);
    }

    public async Task<bool> IsLockedOutAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var end = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.LockoutEnd).SingleOrDefaultAsync(cancellationToken);
        return end > time.GetUtcNow();
    }
}
