using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Moves staged events (<see cref="AuditStagedEvent"/>) into the hash chain in batches: one transaction reads the tail
/// once, chains up to <see cref="BatchSize"/> events onto it and deletes exactly the staged rows it chained. One
/// sequencer per database at a time: on PostgreSQL a transaction-scoped advisory lock (every node runs a sequencer;
/// they take turns), on SQLite the database's single writer (a transaction begins IMMEDIATE) and this process's gate.
/// The primary key on <see cref="AuditEvent.Sequence"/> stays the last guard: a second writer can never fork the chain.
/// </summary>
public sealed class AuditSequencer(IDbContextFactory<PortalDbContext> dbFactory)
{
    public const int BatchSize = 500;

    /// <summary>The advisory lock's key on PostgreSQL (any constant no other part of the app uses).</summary>
    public const long AdvisoryLockKey = 0x7E55_E2A0_A0D1;

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Something was staged and committed: the background loop runs at once instead of at its next poll.</summary>
    public void Staged() => wake.Writer.TryWrite(true);

    /// <summary>Waits until <see cref="Staged"/> is called or <paramref name="poll"/> passes (another node may have staged).</summary>
    public async Task WaitForWorkAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(poll);
        try
        {
            await wake.Reader.WaitToReadAsync(timeout.Token);
            wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sequences everything staged so far; returns how many events were chained.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        // A read first: with nothing staged (most reads), no write transaction is begun at all.
        if (await PendingAsync(cancellationToken) == 0)
        {
            return 0;
        }
        var total = 0;
        while (true)
        {
            var chained = await SequenceBatchAsync(cancellationToken);
            total += chained;
            if (chained < BatchSize)
            {
                return total;
            }
        }
    }

    /// <summary>How many events are committed but not yet in the chain (shown as pending, never lost).</summary>
    public async Task<long> PendingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditStaged.LongCountAsync(cancellationToken);

    }

    /// <summary>Whether the staged event <paramref name="stagedId"/> is still waiting for its place in the chain.</summary>
    internal async Task<bool> IsPendingAsync(long stagedId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditStaged.AnyAsync(e => e.Id == stagedId, cancellationToken);
    }

    private async Task<int> SequenceBatchAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql())
            {
                // Held to the end of this transaction: the sequencer of another node waits here, then sees this batch.
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [AdvisoryLockKey], cancellationToken);
            }
            var staged = await db.AuditStaged.AsNoTracking().OrderBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (staged.Count == 0)
            {
                return 0;
            }
            var tail = await db.AuditEvents.AsNoTracking()
                .OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash, e.OccurredAt })
                .FirstOrDefaultAsync(cancellationToken);
            var sequence = tail?.Sequence ?? 0;
            var previousHash = tail?.Hash ?? AuditChain.GenesisHash;
            var previousTime = tail?.OccurredAt ?? DateTimeOffset.MinValue;
            foreach (var entry in staged)
            {
                // Time never runs backwards along the chain (the search turns a time range into a sequence range): an
                // event committed a moment after a later one is shown at its neighbour's millisecond.
                var occurredAt = entry.OccurredAt < previousTime ? previousTime : entry.OccurredAt;
                var auditEvent = new AuditEvent
                {
                    Sequence = ++sequence,
                    OccurredAt = occurredAt,
                    Type = entry.Type,
                    Outcome = entry.Outcome,
                    ActorId = entry.ActorId,
                    SubjectId = entry.SubjectId,
                    IpPseudonym = entry.IpPseudonym,
                    UserAgent = entry.UserAgent,
                    Detail = entry.Detail,
                    PreviousHash = previousHash,
                };
                auditEvent.Hash = AuditChain.ComputeHash(auditEvent);
                db.AuditEvents.Add(auditEvent);
                previousHash = auditEvent.Hash;
                previousTime = occurredAt;
            }
            // Exactly the rows chained, by id: a row staged meanwhile (on PostgreSQL a lower id can commit later) stays.
            var ids = staged.Select(e => e.Id).ToList();
            await db.AuditStaged.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return staged.Count;
        }
        finally
        {
            gate.Release();
        }
    }
}
