using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>Body of <c>POST /api/v1/verifications</c>.</summary>
/// <param name="To">A phone number (E.164, or national for the default region) or an email address; for "push", the email of a Tessera user.</param>
/// <param name="Channel">"sms" or "email" for a code; "push" for an approval request to the user's push devices (404 when they have none).</param>
/// <param name="Message">For "push" only: what the person is asked to approve, shown in the notification (at most 256 characters).</param>
public sealed record CreateVerificationRequest(string To, string Channel, string? Message = null);

/// <summary>Body of <c>POST /api/v1/verifications/{id}/check</c>.</summary>
/// <param name="Code">The code the person received; spaces and dashes are ignored.</param>
public sealed record CheckVerificationRequest(string Code);

/// <param name="Status">"pending" right after creation.</param>
/// <param name="To">The destination, masked.</param>
/// <param name="Number">For "push" only: the number to show the person, which they type on their device to approve.</param>
public sealed record VerificationCreatedResponse(Guid Id, string Status, string To, string Channel, DateTimeOffset ExpiresAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Number = null);

/// <param name="Status">"approved" for the one check that consumed the code; otherwise "pending", "expired", "max_attempts_reached" or "canceled". A push verification is "pending", then "approved", "denied" or "expired".</param>
public sealed record CheckVerificationResponse(Guid Id, string Status, int AttemptsLeft);

public sealed record VerificationResponse(
    Guid Id, string Status, string To, string Channel, DateTimeOffset ExpiresAt, int AttemptsLeft, int SendsLeft,
    IReadOnlyList<DeliveryResponse> Deliveries);

/// <summary>One message sent for the verification (the first send and each resend), with its tries.</summary>
public sealed record DeliveryResponse(
    Guid Id, string Channel, string Status, string? Transport, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
    IReadOnlyList<DeliveryAttemptResponse> Attempts);

public sealed record DeliveryAttemptResponse(int Number, DateTimeOffset At, string Channel, string Provider, string Outcome, string? Error);

public sealed record ResendVerificationResponse(Guid Id, string Status, DateTimeOffset ExpiresAt);

public sealed record CancelVerificationResponse(Guid Id, string Status);

public sealed record PingResponse(string Status, string Client);

internal static class ApiContractMapping
{
    public static string Wire(this ChallengeStatus status) => status switch
    {
        ChallengeStatus.Pending => "pending",
        ChallengeStatus.Approved => "approved",
        ChallengeStatus.Expired => "expired",
        ChallengeStatus.MaxAttemptsReached => "max_attempts_reached",
        ChallengeStatus.Canceled => "canceled",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static DeliveryResponse ToResponse(this MessageView message) => new(
        message.Id, message.Kind.Name(), message.Status.ToString().ToLowerInvariant(), message.Transport,
        message.CreatedAt, message.SentAt,
        message.Attempts.Select(a => new DeliveryAttemptResponse(a.Number, a.At, a.Channel.Name(), a.Provider, a.Outcome, a.Error)).ToList());
}
