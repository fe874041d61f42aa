using Hangfire;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>
/// The Hangfire side of delivery: a drain delivers everything due and schedules itself for the next retry. It takes
/// no arguments and is safe to run twice, or on every node at once (the engine's claims keep sends single).
/// </summary>
public sealed class DeliveryDrainJob(DeliveryEngine engine, HangfireDeliveryTrigger trigger)
{
    /// <summary>Recurring: picks up what a lost signal, a crash or a lapsed lease left behind.</summary>
    public const string SweepJobId = "delivery.sweep";

    /// <summary>No Hangfire retries: the engine has its own schedule per message, and the sweep runs every minute.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        trigger.DrainStarted();
        var result = await engine.DrainAsync(cancellationToken);
        if (!cancellationToken.IsCancellationRequested && result.NextDueAt is { } next)
        {
            trigger.DrainAt(next);
        }
    }

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task SweepAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);
}
