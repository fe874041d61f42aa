using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Writes events: staged with their action (<see cref="StageAsync"/>, committed by the action's own SaveChanges) or
/// on their own (<see cref="RecordAsync"/>); <see cref="AuditSequencer"/> chains them (<see cref="AuditVerifier"/>
/// checks the chain). Readers here see every event committed before they were called.
/// </summary>
public sealed class AuditLog(
    IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IpPseudonymizer pseudonymizer, AuditPseudonyms subjects,
    AuditSequencer sequencer)
{
    /// <summary>
    /// Adds the event to <paramref name="db"/>, to be committed by the caller's SaveChanges with the action it records:
    /// one transaction, so neither can exist without the other. Call before the caller's transaction begins (naming
    /// the user may write their pseudonym's secret), and <see cref="Committed"/> after it commits.
    /// </summary>
    public async Task StageAsync(PortalDbContext db, AuditEntry entry, CancellationToken cancellationToken = default) =>
        db.AuditStaged.Add(await PrepareAsync(entry, cancellationToken));

    /// <summary>The event as it will be stored: pseudonyms, summary, time; for a caller that adds it to its own unit of work.</summary>
    public async Task<AuditStagedEvent> PrepareAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var ipPseudonym = await pseudonymizer.PseudonymizeAsync(entry.IpAddress);
        // Users are named by their pseudonym, never their id: erasing a user shreds the secret behind it.
        var actor = await subjects.ForWritingAsync(entry.ActorId, cancellationToken);
        var subject = await subjects.ForWritingAsync(entry.SubjectId, cancellationToken);
        return new AuditStagedEvent
        {
            // Milliseconds: what every provider stores exactly, so the hash verifies after a round trip.
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
            Type = entry.Type,
            Outcome = entry.Outcome,
            ActorId = actor,
            SubjectId = subject,
            IpPseudonym = ipPseudonym,
            UserAgent = Truncate(UserAgentSummary.Summarize(entry.UserAgent), 128),
            Detail = Truncate(entry.Detail, 512),
        };
    }

    /// <summary>Staged events were committed: they are chained shortly (the sequencer's loop wakes at once).</summary>
    public void Committed() => sequencer.Staged();

    /// <summary>
    /// Records an event in its own transaction and returns once it is in the chain. Callers that wait share one
    /// sequencing transaction, so a burst of events is chained in one batch, not one at a time behind a lock.
    /// </summary>
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var staged = await PrepareAsync(entry, cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.AuditStaged.Add(staged);
            await db.SaveChangesAsync(cancellationToken);
        }
        if (await sequencer.IsPendingAsync(staged.Id, cancellationToken))
        {
            await sequencer.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The newest events, optionally only those about one subject (a user's own activity).</summary>
    public async Task<IReadOnlyList<AuditEvent>> RecentAsync(int take, string? subjectId = null, CancellationToken cancellationToken = default)
    {
        await sequencer.FlushAsync(cancellationToken);
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
        await sequencer.FlushAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.SubjectId == stored && e.Type == type)
            .OrderByDescending(e => e.Sequence)
            .Select(e => (DateTimeOffset?)e.OccurredAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await sequencer.FlushAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.LongCountAsync(cancellationToken);
    }

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];
}
