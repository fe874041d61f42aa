using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Keys;

/// <summary>
/// Gets or creates an application secret shared by every node: the random bytes are created once,
/// wrapped with Data Protection (whose keys are in the same database) and stored by name. Every secret is loaded at
/// start (<see cref="InitializeAsync"/>) and kept in memory once read; a failed read is not remembered, so a database
/// that was briefly unreachable does not leave a service without its key until the next restart.
/// </summary>
public sealed class SecretStore(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector protector = protection.CreateProtector("Tessera.Keys.SecretStore");

    // Only successful reads, as completed tasks: the hot paths (every code check, every send) get their key without a
    // database round trip or an allocation.
    private readonly ConcurrentDictionary<string, Task<byte[]>> loaded = new(StringComparer.Ordinal);

    /// <summary>Loads every stored secret; a missing or unreadable key ring fails the start here, naming the secret.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var row in await db.ProtectedSecrets.AsNoTracking().ToListAsync(cancellationToken))
        {
            loaded[row.Name] = Task.FromResult(Unwrap(row));
        }
    }

    public Task<byte[]> GetOrCreateAsync(string name, int length, CancellationToken cancellationToken = default) =>
        loaded.TryGetValue(name, out var known) ? known : LoadAsync(name, length, cancellationToken);

    private async Task<byte[]> LoadAsync(string name, int length, CancellationToken cancellationToken)
    {
        var secret = await ReadOrCreateAsync(name, length, cancellationToken);
        loaded[name] = Task.FromResult(secret);
        return secret;
    }

    private byte[] Unwrap(ProtectedSecret row)
    {
        try
        {
            return protector.Unprotect(Convert.FromBase64String(row.ProtectedValue));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CryptographicException(
                $"The install secret '{row.Name}' cannot be unwrapped: the Data Protection keys that wrapped it are missing (check DataProtection:CertificatePath) or the row was altered.", ex);
        }
    }

    private async Task<byte[]> ReadOrCreateAsync(string name, int length, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await db.ProtectedSecrets.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (existing is not null)
        {
            return Unwrap(existing);
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
            return Unwrap(await again.ProtectedSecrets.AsNoTracking().SingleAsync(s => s.Name == name, cancellationToken));
        }
    }
}
