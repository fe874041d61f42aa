using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Delivery;

/// <summary>Development only: keeps text messages in the database, where /dev/outbox shows them.</summary>
internal sealed class OutboxSmsChannel : IMessageChannel
{
    public string Name => EmailOptions.OutboxTransport;

    public Channel Kind => Channel.Sms;

    public bool KeepsBody => true;

    public Task SendAsync(OutboundMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
}
