using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Writes and checks signed checkpoints of the hash chain. Signed with ECDSA P-256 (<see cref="AuditCheckpointSignature"/>),
/// the private key derived from a versioned install secret (<see cref="SecretName"/>, wrapped by Data Protection), so
/// an auditor who holds only the public key (shown on <c>/admin/audit</c>) can verify an export offline and cannot
/// sign anything. Checkpoints from before (HMAC-SHA256 under the same secret) are signed again at start.
/// </summary>
public sealed class AuditCheckpoints(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog log, SecretStore secrets, TimeProvider time, ILogger<AuditCheckpoints> logger)
{
    public const string SecretName = "audit.checkpoint-key";

    /// <summary>
    /// Records a system event and a checkpoint covering it, unless the last checkpoint already covers the tail (so an
    /// idle log does not grow by one event per run). Safe to run twice.
    /// </summary>
    public async Task<AuditCheckpoint?> WriteAsync(CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var tail = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken);
            var covered = await db.AuditCheckpoints.MaxAsync(c => (long?)c.Sequence, cancellationToken);
            if (tail is null || (covered is not null && covered >= tail))
            {
                return null;
            }
        }
        await log.RecordAsync(
            new AuditEntry(AuditEventTypes.AuditCheckpointWritten, AuditOutcome.Success, Detail: "signed checkpoint of the chain up to this event"),
            cancellationToken);
        // The tail once the event is chained: with other writers it may be a later event, which this then covers too.
        await using var read = await dbFactory.CreateDbContextAsync(cancellationToken);
        var end = await read.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash }).FirstAsync(cancellationToken);
        return await SaveAsync(end.Sequence, end.Hash, AuditCheckpointKind.Periodic, cancellationToken);
    }

    /// <summary>Signs and stores a checkpoint of the event <paramref name="sequence"/> whose hash is <paramref name="eventHash"/>.</summary>
    internal async Task<AuditCheckpoint> SaveAsync(long sequence, string eventHash, AuditCheckpointKind kind, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await db.AuditEvents.LongCountAsync(e => e.Sequence <= sequence, cancellationToken);
        var checkpoint = new AuditCheckpoint
        {
            Sequence = sequence,
            EventHash = eventHash,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
            EventCount = count,
            Kind = kind,
        };
        var key = await KeyAsync(cancellationToken);
        Sign(key, checkpoint);
        db.AuditCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync(cancellationToken);
        // Also to the application log: a copy outside the database survives someone rolling the whole database back.
        logger.LogInformation(
            "Audit checkpoint {Id}: {Kind} at event {Sequence}, hash {EventHash}, signature {Signature}",
            checkpoint.Id, kind, sequence, eventHash, checkpoint.Signature);
        return checkpoint;
    }

    /// <summary>Every checkpoint, oldest chain position first.</summary>
    public async Task<IReadOnlyList<AuditCheckpoint>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).ThenBy(c => c.Id).ToListAsync(cancellationToken);
    }

    public async Task<AuditCheckpoint?> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).ThenByDescending(c => c.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The public key of the current signing key, with its id: what an auditor needs to verify an export.</summary>
    public async Task<AuditSigningKey> PublicKeyAsync(CancellationToken cancellationToken = default)
    {
        using var key = SigningKey(await KeyAsync(cancellationToken));
        return new AuditSigningKey(AuditCheckpointSignature.KeyIdOf(key), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>Checked under the key version it names; a version that was destroyed (or never was) proves nothing.</summary>
    public async Task<bool> IsAuthenticAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        if (await secrets.VersionAsync(SecretName, 32, checkpoint.KeyVersion, cancellationToken) is not { } secret)
        {
            return false;
        }
        if (checkpoint.KeyId is not null)
        {
            using var key = SigningKey(secret);
            return AuditCheckpointSignature.Verify(key, checkpoint);
        }
        var expected = Convert.FromHexString(LegacyHmac(secret.Key, checkpoint));
        byte[] actual;
        try
        {
            actual = Convert.FromHexString(checkpoint.Signature);
        }
        catch (FormatException)
        {
            return false;
        }
        // Constant time: a forger must not learn the signature byte by byte.
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    internal Task<InstallSecret> KeyAsync(CancellationToken cancellationToken) => secrets.CurrentAsync(SecretName, 32, cancellationToken);

    /// <summary>
    /// After a new version of the key, and at start for checkpoints from before signing keys: every authentic checkpoint
    /// under an older version or an HMAC is signed again under the current key. One that does not verify is left as it
    /// is, so a forgery is never laundered into a valid signature.
    /// </summary>
    public async Task<int> ResignAsync(CancellationToken cancellationToken = default)
    {
        var key = await KeyAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var resigned = 0;
        foreach (var checkpoint in await db.AuditCheckpoints.Where(c => c.KeyVersion != key.Version || c.KeyId == null).ToListAsync(cancellationToken))
        {
            if (await IsAuthenticAsync(checkpoint, cancellationToken))
            {
                Sign(key, checkpoint);
                resigned++;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return resigned;
    }

    /// <summary>Whether an authentic checkpoint is still signed under <paramref name="version"/>.</summary>
    internal async Task<bool> SignedWithAsync(int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var checkpoint in await db.AuditCheckpoints.AsNoTracking().Where(c => c.KeyVersion == version).ToListAsync(cancellationToken))
        {
            if (await IsAuthenticAsync(checkpoint, cancellationToken))
            {
                return true;
            }
        }
        return false;
    }

    private static ECDsa SigningKey(InstallSecret secret) => P256Keys.Derive(secret.Key, "Tessera audit checkpoint P-256");

    internal static void Sign(InstallSecret secret, AuditCheckpoint checkpoint)
    {
        using var key = SigningKey(secret);
        checkpoint.KeyVersion = secret.Version;
        AuditCheckpointSignature.Sign(key, checkpoint);
    }

    /// <summary>How checkpoints were signed before signing keys (kept to check them once, before they are signed again).</summary>
    internal static string LegacyHmac(byte[] key, AuditCheckpoint c)
    {
        var text = string.Join('\n',
            "tessera-audit-checkpoint/v1",
            c.Sequence.ToString(CultureInfo.InvariantCulture),
            c.EventHash,
            c.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            c.EventCount.ToString(CultureInfo.InvariantCulture),
            c.Kind.ToString());
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));
    }
}

/// <param name="KeyId">What each checkpoint signed with this key names (<see cref="AuditCheckpoint.KeyId"/>).</param>
/// <param name="Pem">The SubjectPublicKeyInfo, PEM ("BEGIN PUBLIC KEY").</param>
public sealed record AuditSigningKey(string KeyId, string Pem);

/// <summary>
/// The checkpoint key: a checkpoint's signature is made again under a new version (from its fields, after checking it
/// under its own), so an old version is needed only while an authentic checkpoint was not yet re-signed.
/// </summary>
public sealed class AuditCheckpointSecret(AuditCheckpoints checkpoints) : IVersionedSecret
{
    public string Name => AuditCheckpoints.SecretName;

    public string Purpose => "Signed audit checkpoints";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => checkpoints.ResignAsync(cancellationToken);

    public Task<bool> InUseAsync(int version, CancellationToken cancellationToken) => checkpoints.SignedWithAsync(version, cancellationToken);
}
