using Tessera.Domain.Contacts;
namespace Tessera.Domain.Delivery;

/// <summary>A way out of Tessera for a message: SMTP, an SMS gateway, Web Push, or the development outbox.</summary>
public interface IMessageChannel
{
    /// <summary>The name stored with a delivered message, and used in configuration.</summary>
    string Name { get; }

    Channel Kind { get; }

    /// <summary>Whether the message body is kept after delivery (only the development outbox needs it).</summary>
    bool KeepsBody { get; }

    Task SendAsync(OutboundMessage message, CancellationToken cancellationToken);
}
