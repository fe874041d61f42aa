using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Writes and checks signed checkpoints of the hash chain.
/// Signed with HMAC-SHA256 under a per-install key from <see cref="SecretStore"/> (wrapped by Data Protection), not an
/// asymmetric key: the only verifier is this installation, which holds the key anyway, and a database dump alone does
/// not yield the key (it is wrapped by Data Protection keys, which can be protected by a certificate). An asymmetric
/// key would only add value if outsiders had to verify checkpoints without being able to write them.
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
        var recorded = await log.RecordAsync(
            new AuditEntry(AuditEventTypes.AuditCheckpointWritten, AuditOutcome.Success, Detail: "signed checkpoint of the chain up to this event"),
            cancellationToken);
        return await SaveAsync(recorded.Sequence, recorded.Hash, AuditCheckpointKind.Periodic, cancellationToken);
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
        checkpoint.Signature = Sign(key.Key, checkpoint);
        checkpoint.KeyVersion = key.Version;
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

    /// <summary>Checked under the key version it names; a version that was destroyed (or never was) proves nothing.</summary>
    public async Task<bool> IsAuthenticAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        if (await secrets.VersionAsync(SecretName, 32, checkpoint.KeyVersion, cancellationToken) is not { } key)
        {
            return false;
        }
        var expected = Convert.FromHexString(Sign(key.Key, checkpoint));
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
    /// After a new version of the key: every authentic checkpoint under an older version is signed again under the
    /// current one. One that does not verify is left as it is, so a forgery is never laundered into a valid signature.
    /// </summary>
    public async Task<int> ResignAsync(CancellationToken cancellationToken = default)
    {
        var key = await KeyAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var resigned = 0;
        foreach (var checkpoint in await db.AuditCheckpoints.Where(c => c.KeyVersion != key.Version).ToListAsync(cancellationToken))
        {
            if (await IsAuthenticAsync(checkpoint, cancellationToken))
            {
                checkpoint.Signature = Sign(key.Key, checkpoint);
                checkpoint.KeyVersion = key.Version;
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

    internal static string Sign(byte[] key, AuditCheckpoint c)
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
