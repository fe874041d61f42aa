using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>How many users have each kind of second factor. A user with two kinds counts under both.</summary>
/// <param name="Phone">Users with a verified phone (an unverified one is not a factor yet).</param>
public sealed record FactorCounts(long Users, long AuthenticatorApp, long Passkey, long Phone, long RecoveryCodesOnly, long None);

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
        var phone = await users.LongCountAsync(u => db.UserPhones.Any(p => p.UserId == u.Id && p.VerifiedAt != null), cancellationToken);
        var recoveryOnly = await users.LongCountAsync(u =>
            db.RecoveryCodes.Any(c => c.UserId == u.Id)
            && !db.TotpAuthenticators.Any(a => a.UserId == u.Id)
            && !db.PasskeyCredentials.Any(c => c.UserId == u.Id)
            && !db.UserPhones.Any(p => p.UserId == u.Id && p.VerifiedAt != null), cancellationToken);
        var none = await users.LongCountAsync(u =>
            !db.RecoveryCodes.Any(c => c.UserId == u.Id)
            && !db.TotpAuthenticators.Any(a => a.UserId == u.Id)
            && !db.PasskeyCredentials.Any(c => c.UserId == u.Id)
            && !db.UserPhones.Any(p => p.UserId == u.Id && p.VerifiedAt != null), cancellationToken);
        return new FactorCounts(total, totp, passkey, phone, recoveryOnly, none);
    }
}
