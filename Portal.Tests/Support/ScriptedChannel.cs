using System.Collections.Concurrent;
using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Support;

/// <summary>A channel that fails a given number of times, then delivers; it counts its calls per message.</summary>
public sealed class ScriptedChannel(Channel kind = Channel.Email, string name = "Test") : IMessageChannel
{
    private int calls;

    public string Name => name;

    public Channel Kind => kind;

    public bool KeepsBody { get; init; }

    public int FailuresBeforeSuccess { get; init; }

    /// <summary>How long a send takes: long enough for concurrent drains to overlap.</summary>
    public TimeSpan Duration { get; init; }

    public int Calls => calls;

    public ConcurrentDictionary<Guid, int> CallsPerMessage { get; } = new();

    /// <summary>What each delivered message looked like when the channel got it (bodies are cleared afterwards).</summary>
    public ConcurrentQueue<(Guid Id, string Recipient, string? TextBody)> Sent { get; } = new();

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref calls);
        CallsPerMessage.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        if (Duration > TimeSpan.Zero)
        {
            await Task.Delay(Duration, cancellationToken);
        }
        if (call <= FailuresBeforeSuccess)
        {
            throw new DeliveryFailedException($"Connection refused (attempt {call})");
        }
        Sent.Enqueue((message.Id, message.Recipient, message.TextBody));
    }
}
