using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <summary>Facts about an account that pages show, read without a UserManager (singleton, no change tracker kept).</summary>
public sealed class AccountFacts(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<bool> EmailConfirmedAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.EmailConfirmed).FirstOrDefaultAsync(cancellationToken);
    }
}
