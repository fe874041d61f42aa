using Hangfire;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>Hangfire jobs of the Delivery module. They take ids, not entities, and are safe to run twice.</summary>
public sealed class EmailDeliveryJob(MessageQueue queue, IBackgroundJobClient jobs, IOptions<EmailOptions> options)
{
    public const string SweepJobId = "delivery.sweep-stranded";

    // Hangfire's ceiling; Email:MaxAttempts (at most 20) decides when the message itself is given up.
    [AutomaticRetry(Attempts = 20, DelaysInSeconds = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600])]
    public Task DeliverAsync(Guid messageId, CancellationToken cancellationToken) =>
        queue.DeliverAsync(messageId, options.Value.Transport, options.Value.MaxAttempts, cancellationToken);

    /// <summary>Re-enqueues messages whose job was lost (a crash between the database commit and the enqueue).</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task SweepStrandedAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await queue.FindStrandedAsync(TimeSpan.FromMinutes(2), cancellationToken))
        {
            jobs.Enqueue<EmailDeliveryJob>(job => job.DeliverAsync(id, CancellationToken.None));
        }
    }
}
