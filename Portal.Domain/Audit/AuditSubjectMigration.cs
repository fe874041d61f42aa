using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Brings events written before pseudonymous subjects (which name users by their raw id) into the new form: every
/// user id becomes its pseudonym, the chain is re-hashed from there to the tail and the checkpoints are re-signed, in
/// one transaction, so a crash leaves the old chain intact and the next start does it again. It runs at start before
/// the app serves anything, and only on an intact chain: re-hashing must never launder a tampered log.
/// </summary>
public sealed class AuditSubjectMigration(
    IDbContextFactory<PortalDbContext> dbFactory, AuditPseudonyms pseudonyms, AuditVerifier verifier, AuditCheckpoints checkpoints,
    AuditLog log, ILogger<AuditSubjectMigration> logger)
{
    // Identity's ids in "D" form: what a raw user id looks like in ActorId or SubjectId.
    private const string UserIdPattern = "________-____-____-____-____________";
    private const int BatchSize = 1000;

    /// <returns>How many events were rewritten (0 when there was nothing to do, or the chain is broken).</returns>
    public async Task<long> RunAsync(CancellationToken cancellationToken = default)
    {
        await using (var probe = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await probe.AuditEvents.AnyAsync(e => EF.Functions.Like(e.ActorId, UserIdPattern) || EF.Functions.Like(e.SubjectId, UserIdPattern), cancellationToken))
            {
                return 0;
            }
        }
        var report = await verifier.VerifyAsync(cancellationToken: cancellationToken);
        if (!report.Intact)
        {
            logger.LogError(new EventId(4101, "AuditSubjectsNotMigrated"),
                "The audit log still names users by id: it was not rewritten with pseudonyms because its chain is broken ({Problem}).", report.Message);
            return 0;
        }

        // Every pseudonym is made before the transaction: on SQLite, creating one inside it would wait on its own lock.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var raw = await read.AuditEvents.Where(e => EF.Functions.Like(e.ActorId, UserIdPattern)).Select(e => e.ActorId!)
                .Union(read.AuditEvents.Where(e => EF.Functions.Like(e.SubjectId, UserIdPattern)).Select(e => e.SubjectId!))
                .ToListAsync(cancellationToken);
            foreach (var id in raw.Where(AuditPseudonyms.IsUserId))
            {
                names[id] = (await pseudonyms.ForWritingAsync(id, cancellationToken))!;
            }
        }

        long rewritten = 0;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var newHashes = new Dictionary<long, string>();
        string? previous = null;
        long after = long.MinValue;
        while (true)
        {
            var batch = await db.AuditEvents.Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            foreach (var e in batch)
            {
                var entry = db.Entry(e);
                entry.Property(x => x.ActorId).CurrentValue = e.ActorId is { } actor ? names.GetValueOrDefault(actor, actor) : null;
                entry.Property(x => x.SubjectId).CurrentValue = e.SubjectId is { } subject ? names.GetValueOrDefault(subject, subject) : null;
                // The oldest event keeps its link to what came before it (the genesis, or an event retention removed).
                if (previous is not null)
                {
                    entry.Property(x => x.PreviousHash).CurrentValue = previous;
                }
                var hash = AuditChain.ComputeHash(e);
                if (hash != e.Hash)
                {
                    e.Hash = hash;
                    newHashes[e.Sequence] = hash;
                    rewritten++;
                }
                previous = hash;
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            after = batch[^1].Sequence;
        }

        var key = await checkpoints.KeyAsync(cancellationToken);
        foreach (var checkpoint in await db.AuditCheckpoints.ToListAsync(cancellationToken))
        {
            if (newHashes.TryGetValue(checkpoint.Sequence, out var hash))
            {
                db.Entry(checkpoint).Property(c => c.EventHash).CurrentValue = hash;
                AuditCheckpoints.Sign(key, checkpoint);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogWarning(new EventId(4100, "AuditSubjectsMigrated"),
            "The audit log now names users by pseudonym: {Count} events were rewritten and the chain and its checkpoints re-signed. Checkpoint copies in earlier application logs no longer match.",
            rewritten);
        await log.RecordAsync(new AuditEntry(AuditEventTypes.AuditSubjectsPseudonymised, AuditOutcome.Success,
            Detail: $"events={rewritten}; chain re-hashed and checkpoints re-signed"), cancellationToken);
        return rewritten;
    }
}
