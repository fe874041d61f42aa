using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>What an admin filters the audit log by; every criterion is optional and they combine with AND.</summary>
/// <param name="From">Inclusive lower bound (UTC).</param>
/// <param name="To">Exclusive upper bound (UTC).</param>
/// <param name="IpAddress">The raw address the admin typed: pseudonymised here, compared with the stored pseudonym.</param>
public sealed record AuditFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Type = null,
    string? SubjectId = null,
    AuditOutcome? Outcome = null,
    string? IpAddress = null);

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, long TotalCount);

/// <summary>
/// Filtered, paged reads of the audit log for the admin console and its export. Everything is ordered and bounded by
/// <see cref="AuditEvent.Sequence"/> (the primary key) rather than by time: EF Core cannot compare DateTimeOffset
/// columns on SQLite, and the sequence follows time because writers take the clock in sequence order. A time range
/// therefore becomes a sequence range, found by one seek on the OccurredAt index per bound, and each filter column is
/// indexed together with Sequence.
/// </summary>
public sealed class AuditSearch(
    IDbContextFactory<PortalDbContext> dbFactory, IpPseudonymizer pseudonymizer, AuditPseudonyms subjects, AuditSequencer? sequencer = null)
{
    public const int MaxPageSize = 500;

    private const int StreamBatchSize = 1000;

    public async Task<AuditPage> SearchAsync(
        AuditFilter filter, int page, int pageSize, bool newestFirst = true, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        pageSize = Math.Min(pageSize, MaxPageSize);
        if (sequencer is not null)
        {
            await sequencer.FlushAsync(cancellationToken);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = await FilterAsync(db, filter, cancellationToken);
        if (query is null)
        {
            return new AuditPage([], 0);
        }
        var total = await query.LongCountAsync(cancellationToken);
        var items = await Order(query, newestFirst)
            .Skip(page * pageSize)
            .Take(pageSize)
            .ToListAsync(cancellationToken);
        return new AuditPage(items, total);
    }

    /// <summary>
    /// Every matching event, read in keyset batches on the sequence: no deep OFFSET, and no reader held open for the
    /// whole of a slow download.
    /// </summary>
    public async IAsyncEnumerable<AuditEvent> StreamAsync(
        AuditFilter filter, bool newestFirst = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long? last = null;
        Bounds? bounds;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Resolved once: the time bounds of events already written do not move while the export runs.
            bounds = await ResolveAsync(db, filter, cancellationToken);
        }
        if (bounds is null)
        {
            yield break;
        }
        while (true)
        {
            List<AuditEvent> batch;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                // The keyset position replaces the range's bound rather than adding a second one: with two upper
                // bounds SQLite may seek on the wrong one and walk every row already exported, batch after batch.
                var range = last is not { } after ? bounds : newestFirst ? bounds with { High = after } : bounds with { Low = after + 1 };
                var query = Apply(db.AuditEvents.AsNoTracking(), filter, range);
                batch = await Order(query, newestFirst).Take(StreamBatchSize).ToListAsync(cancellationToken);
            }
            foreach (var e in batch)
            {
                yield return e;
            }
            if (batch.Count < StreamBatchSize)
            {
                yield break;
            }
            last = batch[^1].Sequence;
        }
    }

    /// <summary>The filtered query, or null when the filter cannot match anything (a time range after the last event).</summary>
    private async Task<IQueryable<AuditEvent>?> FilterAsync(PortalDbContext db, AuditFilter filter, CancellationToken cancellationToken) =>
        await ResolveAsync(db, filter, cancellationToken) is { } bounds ? Apply(db.AuditEvents.AsNoTracking(), filter, bounds) : null;

    /// <summary>What the filter needs from the database first: its time range as sequences, the address as its pseudonym.</summary>
    private sealed record Bounds(long? Low, long? High, IReadOnlyList<string> IpPseudonyms, string? Subject);

    private async Task<Bounds?> ResolveAsync(PortalDbContext db, AuditFilter filter, CancellationToken cancellationToken)
    {
        long? low = null;
        if (filter.From is { } from)
        {
            low = await FirstSequenceAtOrAfterAsync(db, from, cancellationToken);
            if (low is null)
            {
                return null;
            }
        }
        var high = filter.To is { } to ? await FirstSequenceAtOrAfterAsync(db, to, cancellationToken) : null;
        var subject = string.IsNullOrWhiteSpace(filter.SubjectId) ? null : await subjects.ForSearchingAsync(filter.SubjectId.Trim(), cancellationToken);
        return new Bounds(low, high, await pseudonymizer.PseudonymsAsync(filter.IpAddress, cancellationToken), subject);
    }

    private static IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> query, AuditFilter filter, Bounds bounds)
    {
        if (bounds.Low is { } low)
        {
            query = query.Where(e => e.Sequence >= low);
        }
        if (bounds.High is { } high)
        {
            query = query.Where(e => e.Sequence < high);
        }
        if (!string.IsNullOrWhiteSpace(filter.Type))
        {
            var type = filter.Type.Trim();
            query = query.Where(e => e.Type == type);
        }
        if (bounds.Subject is { } subject)
        {
            query = query.Where(e => e.SubjectId == subject);
        }
        if (filter.Outcome is { } outcome)
        {
            query = query.Where(e => e.Outcome == outcome);
        }
        if (bounds.IpPseudonyms.Count > 0)
        {
            // The address's pseudonym under every key version: events from before a rotation are found too.
            var ipPseudonyms = bounds.IpPseudonyms;
            query = query.Where(e => ipPseudonyms.Contains(e.IpPseudonym!));
        }
        return query;
    }

    private static IQueryable<AuditEvent> Order(IQueryable<AuditEvent> query, bool newestFirst) =>
        newestFirst ? query.OrderByDescending(e => e.Sequence) : query.OrderBy(e => e.Sequence);

    /// <summary>
    /// The first event (by time) that occurred at or after <paramref name="instant"/>, as its sequence, or null if none
    /// did: one seek on the OccurredAt index.
    /// </summary>
    internal static Task<long?> FirstSequenceAtOrAfterAsync(PortalDbContext db, DateTimeOffset instant, CancellationToken cancellationToken) =>
        db.AuditEvents.AsNoTracking().Where(e => e.OccurredAt >= instant)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence)
            .Select(e => (long?)e.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
}
