using Hangfire;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>
/// Starts a drain when messages are queued. Coalesced: while a drain enqueued by this node has not started yet, more
/// messages need no further job (that drain will claim them too). One Hangfire job per message would cost ~3 ms of
/// storage each and cap delivery at Hangfire's own job rate.
/// </summary>
public sealed class HangfireDeliveryTrigger(IBackgroundJobClient jobs, TimeProvider time, ILogger<HangfireDeliveryTrigger> logger) : IDeliveryTrigger
{
    /// <summary>
    /// A pending drain older than this is assumed lost (or started on another node, which cannot reset this flag),
    /// so the next signal enqueues again. The recurring sweep covers anything missed in between.
    /// </summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);

    private long pendingSince;
    private long scheduledFor;

    public void Queued(Guid messageId) => Kick();

    /// <summary>Enqueues a drain unless one from this node is already waiting to start.</summary>
    public void Kick()
    {
        var since = Interlocked.Read(ref pendingSince);
        if (since != 0 && time.GetElapsedTime(since) < StaleAfter)
        {
            return;
        }
        if (Interlocked.CompareExchange(ref pendingSince, time.GetTimestamp(), since) != since)
        {
            return;
        }
        try
        {
            jobs.Enqueue<DeliveryDrainJob>(job => job.DrainAsync(CancellationToken.None));
        }
        catch (Exception ex)
        {
            // The message is committed; the sweep delivers it. The caller's request must not fail for this.
            Interlocked.Exchange(ref pendingSince, 0);
            logger.LogWarning(ex, "Could not enqueue a delivery drain; the recurring sweep will deliver the queued messages.");
        }
    }

    /// <summary>
    /// Called by a drain as it starts: from here on, a new message needs a new drain, and the drain itself schedules
    /// the next retry (a scheduled drain may start a little early, as Hangfire keeps whole seconds, and must then
    /// schedule again rather than be taken for the one already waiting).
    /// </summary>
    public void DrainStarted()
    {
        Interlocked.Exchange(ref pendingSince, 0);
        Interlocked.Exchange(ref scheduledFor, 0);
    }

    /// <summary>Schedules a drain for when a retry falls due, unless one is already scheduled by then.</summary>
    public void DrainAt(DateTimeOffset dueAt)
    {
        var now = time.GetUtcNow();
        if (dueAt <= now)
        {
            Kick();
            return;
        }
        var due = dueAt.ToUnixTimeMilliseconds();
        var current = Interlocked.Read(ref scheduledFor);
        if (current > now.ToUnixTimeMilliseconds() && current <= due)
        {
            return;
        }
        Interlocked.Exchange(ref scheduledFor, due);
        jobs.Schedule<DeliveryDrainJob>(job => job.DrainAsync(CancellationToken.None), dueAt);
    }
}
