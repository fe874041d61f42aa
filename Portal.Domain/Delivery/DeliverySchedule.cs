using Tessera.Domain.Contacts;
namespace Tessera.Domain.Delivery;

/// <summary>What happens to a message after a failed attempt: retry later, move to the next channel, or give up.</summary>
public sealed record FailureStep(MessageStatus Status, Channel Kind, int ChannelAttempts, DateTimeOffset NextAttemptAt);

/// <summary>The retry and fallback rules, as pure functions so they can be tested without a database or a clock.</summary>
public static class DeliverySchedule
{
    /// <param name="channelAttempts">Attempts on <paramref name="current"/>, the failed one included.</param>
    /// <param name="fallbackOrder">The policy's channel order, for example [Sms, Email].</param>
    public static FailureStep AfterFailure(
        OutboundMessage message, Channel current, int channelAttempts, IReadOnlyList<TimeSpan> retryDelays,
        IReadOnlyList<Channel> fallbackOrder, DateTimeOffset now)
    {
        if (channelAttempts <= retryDelays.Count)
        {
            var delay = retryDelays[channelAttempts - 1];
            return new FailureStep(MessageStatus.Pending, current, channelAttempts, now + delay);
        }
        return NextChannel(message, current, fallbackOrder) is { } next
            ? new FailureStep(MessageStatus.Pending, next, 0, now)
            : new FailureStep(MessageStatus.Failed, current, channelAttempts, now);
    }

    /// <summary>
    /// The first channel after <paramref name="current"/> in the fallback order for which the message has a route.
    /// Only forward in the order, so a message never cycles between channels.
    /// </summary>
    public static Channel? NextChannel(OutboundMessage message, Channel current, IReadOnlyList<Channel> fallbackOrder)
    {
        var order = fallbackOrder.Distinct().ToList();
        var position = order.IndexOf(current);
        foreach (var kind in order.Skip(position + 1))
        {
            if (kind != current && message.HasRoute(kind))
            {
                return kind;
            }
        }
        return null;
    }

    /// <summary>An error worth showing an admin, never longer than the column. Callers pass provider messages only.</summary>
    public static string Trim(string error) => error.Length > 500 ? error[..500] : error;
}
