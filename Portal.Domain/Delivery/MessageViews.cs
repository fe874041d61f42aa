using Tessera.Domain.Contacts;
namespace Tessera.Domain.Delivery;

/// <summary>One try to hand a message to a provider.</summary>
/// <param name="Provider">The adapter that tried, for example "Smtp", "Gateway", "Twilio" or "Outbox".</param>
/// <param name="Outcome">"sent" or "failed".</param>
public sealed record DeliveryAttemptView(int Number, DateTimeOffset At, Channel Channel, string Provider, string Outcome, string? Error);

/// <summary>A message as admins and API callers see it: never its body or its full recipient.</summary>
public sealed record MessageView(
    Guid Id,
    Channel Kind,
    MessageStatus Status,
    string? Transport,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    IReadOnlyList<DeliveryAttemptView> Attempts);

/// <summary>A row of the admin deliveries table.</summary>
/// <param name="Channel">The channel in use now (the fallback once the first channel gave up).</param>
public sealed record MessageSummary(
    Guid Id,
    Channel Kind,
    Channel Channel,
    string MaskedRecipient,
    string? Purpose,
    string? Reference,
    DateTimeOffset CreatedAt,
    MessageStatus Status,
    string? Provider,
    int Attempts,
    string? LastError);

public sealed record MessagePage(IReadOnlyList<MessageSummary> Rows, int Total);
