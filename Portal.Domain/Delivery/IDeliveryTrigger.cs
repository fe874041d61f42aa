namespace Tessera.Domain.Delivery;

/// <summary>
/// Told after a transaction that staged messages has committed, so the host can start delivering them now rather than
/// at the next sweep. Losing the signal (a crash right after the commit) delays a message; it never loses it.
/// </summary>
public interface IDeliveryTrigger
{
    void Queued(Guid messageId);
}
