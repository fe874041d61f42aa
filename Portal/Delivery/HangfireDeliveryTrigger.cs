using Hangfire;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>Starts delivering a staged message as soon as its transaction has committed.</summary>
internal sealed class HangfireDeliveryTrigger(IBackgroundJobClient jobs) : IDeliveryTrigger
{
    public void Queued(Guid messageId) => jobs.Enqueue<EmailDeliveryJob>(job => job.DeliverAsync(messageId, CancellationToken.None));
}
