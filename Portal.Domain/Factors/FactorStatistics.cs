using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>How many users have each kind of second factor. A user with two kinds counts under both.</summary>
public sealed record FactorCounts(long Users, long AuthenticatorApp, long Passkey, long RecoveryCodesOnly, long None);

/// <summary>Counts users by factor for the admin dashboard, each figure one COUNT with EXISTS sub-queries in the database.</summary>
public sealed class FactorStatistics(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<FactorCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        var total = await users.LongCountAsync(cancellationToken);
        var totp = await users.LongCountAsync(u => db.TotpAuthenticators.Any(a => a.UserId == u.Id), cancellationToken);
        var passkey = await users.LongCountAsync(u => db.PasskeyCredentials.Any(c => c.UserId == u.Id), cancellationToken);
        var recoveryOnly = await users.LongCountAsync(u =>
            db.RecoveryCodes.Any(c => c.UserId == u.Id)
            && !db.TotpAuthenticators.Any(a => a.UserId == u.Id)
            && !db.PasskeyCredentials.Any(c => c.UserId == u.Id), cancellationToken);
        var none = await users.LongCountAsync(u =>
            !db.RecoveryCodes.Any(c => c.UserId == u.Id)
            && !db.TotpAuthenticators.Any(a => a.UserId == u.Id)
            && !db.PasskeyCredentials.Any(c => c.UserId == u.Id), cancellationToken);
        return new FactorCounts(total, totp, passkey, recoveryOnly, none);
    }
}
