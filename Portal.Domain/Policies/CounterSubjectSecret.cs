using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Policies;

/// <summary>
/// The counters' subject key: a counter cannot be made again (its subject is only a hash), so an old version is needed
/// while a counter made with it is inside its window; after that nothing can look it up.
/// </summary>
public sealed class CounterSubjectSecret(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time) : IVersionedSecret
{
    public string Name => SendLimiter.SubjectSecretName;

    public string Purpose => "Abuse-limit counters and spent proofs";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SendCounters.Where(c => c.WindowEnd > now).MadeWith(c => c.Subject, version).AnyAsync(cancellationToken);
    }
}
