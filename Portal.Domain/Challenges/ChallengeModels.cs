using Tessera.Domain.Contacts;
namespace Tessera.Domain.Challenges;

/// <summary>Who a challenge belongs to: the signed-in user, the API client, or both. Only the same pair may use it.</summary>
public sealed record ChallengeBinding(string? UserId = null, string? ClientId = null)
{
    public static ChallengeBinding ForUser(string userId) => new(userId, null);

    public static ChallengeBinding ForClient(string clientId) => new(null, clientId);
}

/// <param name="Destination">Already validated and normalised by the caller: E.164 for SMS, an address for email.</param>
/// <param name="Compose">Builds the message around the code; called once per send, never logged.</param>
/// <param name="Region">ISO region of a phone destination ("GB"), for the SMS country rules; null for email.</param>
/// <param name="ClientIp">The requester's IP address, for the per-IP limit; never stored with the challenge.</param>
/// <param name="FallbackEmail">
/// For an SMS code: an address that gets the same code by email if every SMS attempt fails (Delivery:FallbackOrder).
/// </param>
public sealed record ChallengeRequest(
    string Purpose,
    ChallengeBinding Binding,
    Channel Channel,
    string Destination,
    string MaskedDestination,
    Func<string, (string Subject, string Text)> Compose,
    string? Region = null,
    string? ClientIp = null,
    string? FallbackEmail = null);

/// <summary>The caller enqueues the delivery job for <paramref name="MessageId"/> once this returns.</summary>
public sealed record ChallengeCreated(Guid ChallengeId, Guid MessageId, DateTimeOffset ExpiresAt);

/// <param name="AlreadyUsed">
/// The challenge was approved by an earlier check; this check is answered <see cref="ChallengeStatus.Expired"/>.
/// </param>
public sealed record CheckResult(ChallengeStatus Status, int AttemptsLeft, bool AlreadyUsed = false);

public enum ResendOutcome
{
    Sent,
    Cooldown,
    SendLimitReached,
    /// <summary>The challenge can no longer be answered (see the status); a new challenge is needed.</summary>
    Closed,
}

/// <param name="MessageId">When sent: the new message, for the caller to enqueue.</param>
/// <param name="RetryAfterSeconds">When refused by the cooldown: how long to wait.</param>
public sealed record ResendResult(
    ResendOutcome Outcome,
    ChallengeStatus Status,
    Guid? MessageId = null,
    DateTimeOffset? ExpiresAt = null,
    int RetryAfterSeconds = 0);

public sealed record ChallengeView(
    Guid Id,
    string Purpose,
    ChallengeStatus Status,
    Channel Channel,
    string MaskedDestination,
    DateTimeOffset ExpiresAt,
    int AttemptsLeft,
    int SendsLeft,
    Guid? MessageId);
