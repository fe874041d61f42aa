using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Delivery;

/// <summary>
/// Development only: "delivers" by leaving the message, body included, in the database, where /dev/outbox shows it.
/// Options validation refuses this transport outside the Development environment, so it cannot drop real mail.
/// </summary>
internal sealed class OutboxEmailChannel : IMessageChannel
{
    public string Name => EmailOptions.OutboxTransport;

    public Channel Kind => Channel.Email;

    public bool KeepsBody => true;

    public Task SendAsync(OutboundMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
}
