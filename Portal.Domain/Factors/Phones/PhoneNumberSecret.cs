using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors.Phones;

/// <summary>
/// The phone look-up key: after a new version every number hash is made again from the encrypted number, and an old
/// version is needed only while a hash made with it is left.
/// </summary>
public sealed class PhoneNumberSecret(IDbContextFactory<PortalDbContext> dbFactory, UserPhones phones) : IVersionedSecret
{
    public string Name => UserPhones.NumberSecretName;

    public string Purpose => "Phone number look-up (sign-in by number, duplicates)";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => phones.RehashAsync(cancellationToken: cancellationToken);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserPhones.MadeWith(p => p.NumberHash, version).AnyAsync(cancellationToken);
    }
}
