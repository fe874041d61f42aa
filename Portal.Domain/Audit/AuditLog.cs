using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>Appends events to the hash chain (<see cref="AuditVerifier"/> checks it).</summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IpPseudonymizer pseudonymizer, AuditPseudonyms subjects)
{
    private const int MaxAttempts = 20;

    // Serialises writers of this node; writers on other nodes are serialised by the primary key on Sequence.
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<AuditEvent> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var ipPseudonym = await pseudonymizer.PseudonymizeAsync(entry.IpAddress);
        // Users are named by their pseudonym, never their id: erasing a user shreds the secret behind it.
        var actor = await subjects.ForWritingAsync(entry.ActorId, cancellationToken);
        var subject = await subjects.ForWritingAsync(entry.SubjectId, cancellationToken);
        var userAgent = UserAgentSummary.Summarize(entry.UserAgent);
        await gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var last = await db.AuditEvents.AsNoTracking()
                    .OrderByDescending(e => e.Sequence)
                    .Select(e => new { e.Sequence, e.Hash })
                    .FirstOrDefaultAsync(cancellationToken);

                var auditEvent = new AuditEvent
                {
                    Sequence = (last?.Sequence ?? 0) + 1,
                    // Milliseconds: what every provider stores exactly, so the hash verifies after a round trip.
                    OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
                    Type = entry.Type,
                    Outcome = entry.Outcome,
                    ActorId = actor,
                    SubjectId = subject,
                    IpPseudonym = ipPseudonym,
                    UserAgent = Truncate(userAgent, 128),
                    Detail = Truncate(entry.Detail, 512),
                    PreviousHash = last?.Hash ?? AuditChain.GenesisHash,
                };
                auditEvent.Hash = AuditChain.ComputeHash(auditEvent);
                db.AuditEvents.Add(auditEvent);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return auditEvent;
                }
                catch (DbUpdateException) when (attempt < MaxAttempts)
                {
                    // Another node appended the same sequence number first: read the new tail and chain onto it.
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The newest events, optionally only those about one subject (a user's own activity).</summary>
    public async Task<IReadOnlyList<AuditEvent>> RecentAsync(int take, string? subjectId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditEvents.AsNoTracking();
        if (subjectId is not null)
        {
            var stored = await subjects.ForSearchingAsync(subjectId, cancellationToken);
            query = query.Where(e => e.SubjectId == stored);
        }
        return await query.OrderByDescending(e => e.Sequence).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>When the newest event of this type about this subject happened, or null when there is none.</summary>
    public async Task<DateTimeOffset?> LatestAsync(string subjectId, string type, CancellationToken cancellationToken = default)
    {
        var stored = await subjects.ForSearchingAsync(subjectId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.SubjectId == stored && e.Type == type)
            .OrderByDescending(e => e.Sequence)
            .Select(e => (DateTimeOffset?)e.OccurredAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.LongCountAsync(cancellationToken);
    }

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];
}
