using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Delivery;

/// <summary>Delivery:Sms:Provider = None: every SMS attempt fails at once, so the message falls back (or fails).</summary>
internal sealed class UnconfiguredSmsChannel : IMessageChannel
{
    public string Name => SmsOptions.NoProvider;

    public Channel Kind => Channel.Sms;

    public bool KeepsBody => false;

    public Task SendAsync(OutboundMessage message, CancellationToken cancellationToken) =>
        throw new DeliveryFailedException("No SMS provider is configured (Delivery:Sms:Provider is 'None').");
}
