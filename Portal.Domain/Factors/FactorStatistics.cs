using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>How many users have each kind of second factor. A user with two kinds counts under both.</summary>
/// <param name="ByKind">Every <see cref="FactorKind"/>, with the users who have one of that kind (a verified phone only).</param>
public sealed record FactorCounts(long Users, IReadOnlyDictionary<FactorKind, long> ByKind, long RecoveryCodesOnly, long None);

/// <summary>
/// Counts users by factor for the admin dashboard, each figure one COUNT with EXISTS sub-queries in the database, over
/// the lifecycle's own definition of who has a factor of each kind.
/// </summary>
public sealed class FactorStatistics(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<FactorCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        var total = await users.LongCountAsync(cancellationToken);
        var byKind = new Dictionary<FactorKind, long>();
        foreach (var kind in Enum.GetValues<FactorKind>())
        {
            var owners = FactorLifecycle.OwnersOf(db, kind);
            byKind[kind] = await users.LongCountAsync(u => owners.Contains(u.Id), cancellationToken);
        }
        var anyFactor = FactorLifecycle.OwnersOfAny(db);
        var recoveryOnly = await users.LongCountAsync(u => db.RecoveryCodes.Any(c => c.UserId == u.Id) && !anyFactor.Contains(u.Id), cancellationToken);
        var none = await users.LongCountAsync(u => !db.RecoveryCodes.Any(c => c.UserId == u.Id) && !anyFactor.Contains(u.Id), cancellationToken);
        return new FactorCounts(total, byKind, recoveryOnly, none);
    }
}
