using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Challenges;

/// <summary>
/// The code key: a code's MAC cannot be made again (the code is not kept), so an old version is needed while a live
/// code was made with it, minutes at most. The challenge row records the version.
/// </summary>
public sealed class ChallengeCodeSecret(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time) : IVersionedSecret
{
    public string Name => Challenges.CodeSecretName;

    public string Purpose => "One-time code check";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OtpChallenges.AnyAsync(c => c.Status == ChallengeStatus.Pending && c.ExpiresAt > now && c.CodeKeyVersion == version, cancellationToken);
    }
}

/// <summary>
/// The destination key: the hash on a challenge finds it by phone or mailbox while it is open; a closed challenge's
/// hash is looked up by nothing, so an old version is needed only while an open challenge carries a hash made with it.
/// Once it is destroyed, the hashes left on closed challenges (until retention deletes them) link to no destination.
/// </summary>
public sealed class ChallengeDestinationSecret(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time) : IVersionedSecret
{
    public string Name => Challenges.DestinationSecretName;

    public string Purpose => "Where an open code was sent";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OtpChallenges.Where(c => c.Status == ChallengeStatus.Pending && c.ExpiresAt > now)
            .MadeWith(c => c.DestinationHash, version).AnyAsync(cancellationToken);
    }
}
