using Tessera.Domain.Delivery;

namespace Tessera.Portal.Tests.Support;

/// <summary>Leaves staged messages queued: for tests that read what would be sent, not what was delivered.</summary>
public sealed class NoDeliveryTrigger : IDeliveryTrigger
{
    public static NoDeliveryTrigger Instance { get; } = new();

    public void Queued(Guid messageId)
    {
    }
}
