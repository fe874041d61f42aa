using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Tessera.Domain.Persistence;

/// <summary>
/// Group commit for the hot paths (a code check, a send). On SQLite, one in-process writer takes every unit of work
/// waiting (up to <see cref="MaxBatch"/>) and runs them one after another in one transaction, each inside its own
/// savepoint, then commits once: concurrent requests share one commit (one fsync) instead of queueing for the write
/// lock, and since the units run serially, every conditional update still sees the one before it (single use and
/// limits hold exactly). A caller's task completes only after the commit: nothing is answered before it is durable.
/// On PostgreSQL a unit is its own transaction; the server already flushes concurrent commits together.
/// </summary>
/// <remarks>
/// A unit must be short, use only the context it is given, and never wait for another unit (nor open a second context
/// that writes): everything that needs keys, pseudonyms or other reads is prepared before it is queued.
/// </remarks>
public sealed class WriteBatcher(IDbContextFactory<PortalDbContext> dbFactory, ILogger<WriteBatcher> logger) : IAsyncDisposable
{
    public const int MaxBatch = 256;

    private readonly Channel<Unit> queue = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock startGate = new();
    private bool? sqlite;
    private Task? writer;

    /// <summary>Runs <paramref name="work"/> in a transaction and returns its result once that transaction has committed.</summary>
    public async Task<T> RunAsync<T>(Func<PortalDbContext, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (!await IsSqliteAsync(cancellationToken))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await work(db);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        var unit = new Unit<T>(work);
        if (!queue.Writer.TryWrite(unit))
        {
            throw new ObjectDisposedException(nameof(WriteBatcher));
        }
        EnsureWriter();
        // Not cancelable once queued: the unit may already be in a batch, and its outcome is only known at the commit.
        return await unit.Completion;
    }

    private async ValueTask<bool> IsSqliteAsync(CancellationToken cancellationToken)
    {
        if (sqlite is { } known)
        {
            return known;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (sqlite = db.Database.IsSqlite()).Value;
    }

    private void EnsureWriter()
    {
        if (writer is not null)
        {
            return;
        }
        lock (startGate)
        {
            writer ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Unit>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var unit))
            {
                batch.Add(unit);
            }
            try
            {
                await RunBatchAsync(batch);
            }
            catch (Exception ex)
            {
                // The transaction did not commit: no unit of it happened, and each caller is told so.
                logger.LogError(new EventId(1301, "WriteBatchFailed"), ex, "A batch of {Count} writes could not be committed", batch.Count);
                foreach (var unit in batch)
                {
                    unit.Fail(ex);
                }
            }
        }
    }

    private async Task RunBatchAsync(List<Unit> batch)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        // Each unit gets its own savepoint below; EF's own one per SaveChanges would only add statements.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var done = new List<Unit>(batch.Count);
        foreach (var unit in batch)
        {
            await transaction.CreateSavepointAsync("unit");
            try
            {
                await unit.RunAsync(db);
                await db.SaveChangesAsync();
                await transaction.ReleaseSavepointAsync("unit");
                done.Add(unit);
            }
            catch (Exception ex)
            {
                // Only this unit is undone; the others in the batch still commit.
                await transaction.RollbackToSavepointAsync("unit");
                await transaction.ReleaseSavepointAsync("unit");
                unit.Fail(ex);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        if (done.Count == 0)
        {
            return;
        }
        try
        {
            await transaction.CommitAsync();
        }
        catch (Exception ex)
        {
            foreach (var unit in done)
            {
                unit.Fail(ex);
            }
            return;
        }
        foreach (var unit in done)
        {
            unit.Complete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (writer is not null)
        {
            await writer;
        }
    }

    private abstract class Unit
    {
        public abstract Task RunAsync(PortalDbContext db);

        public abstract void Complete();

        public abstract void Fail(Exception ex);
    }

    private sealed class Unit<T>(Func<PortalDbContext, Task<T>> work) : Unit
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;

        public Task<T> Completion => completion.Task;

        public override async Task RunAsync(PortalDbContext db) => result = await work(db);

        public override void Complete() => completion.TrySetResult(result!);

        public override void Fail(Exception ex) => completion.TrySetException(ex);
    }
}
