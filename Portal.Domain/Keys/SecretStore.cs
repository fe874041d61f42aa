using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Keys;

/// <summary>
/// Gets or creates an application secret shared by every node: the random bytes are created once,
/// wrapped with Data Protection (whose keys are in the same database) and stored by name.
/// </summary>
public sealed class SecretStore(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector protector = protection.CreateProtector("Tessera.Keys.SecretStore");

    public async Task<byte[]> GetOrCreateAsync(string name, int length, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await db.ProtectedSecrets.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (existing is not null)
        {
            return protector.Unprotect(Convert.FromBase64String(existing.ProtectedValue));
        }

        var secret = RandomNumberGenerator.GetBytes(length);
        db.ProtectedSecrets.Add(new ProtectedSecret
        {
            Name = name,
            ProtectedValue = Convert.ToBase64String(protector.Protect(secret)),
            CreatedAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return secret;
        }
        catch (DbUpdateException)
        {
            // Another node created it first: theirs wins, so every node uses the same secret.
            await using var again = await dbFactory.CreateDbContextAsync(cancellationToken);
            var winner = await again.ProtectedSecrets.AsNoTracking().SingleAsync(s => s.Name == name, cancellationToken);
            return protector.Unprotect(Convert.FromBase64String(winner.ProtectedValue));
        }
    }
}
