using Tessera.Domain.Contacts;
namespace Tessera.Domain.Policies;

/// <summary>One message about to be sent with a code: what abuse limits (and the SMS country rules) look at.</summary>
/// <param name="Destination">The destination as limits count it (a number in E.164, a mailbox without its "+tag"); the counters keep only its keyed hash.</param>
/// <param name="RegionCode">ISO region of a phone number ("GB"); null for email.</param>
public sealed record SendAttempt(Channel Channel, string Destination, string? RegionCode, string? UserId, string? ClientId, string? ClientIp);

/// <param name="Rule">Which rule refused, for the audit log and the problem details: one of <see cref="SendRules"/>.</param>
/// <param name="Reason">A sentence fit for the caller.</param>
public sealed record SendDecision(bool Allowed, string? Rule = null, TimeSpan RetryAfter = default, string? Reason = null)
{
    public static readonly SendDecision Allow = new(true);
}

/// <summary>
/// Abuse limits for sending codes (per user, destination, IP, API client, country; the SMS country allow-list and the
/// daily SMS spend cap). Counted in the database so the limits hold across nodes. A refused attempt is not counted
/// against the other rules.
/// </summary>
public interface ISendLimiter
{
    Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default);
}

/// <summary>Thrown by Challenges when a send is refused by <see cref="ISendLimiter"/>; nothing was stored or sent.</summary>
public sealed class SendRefusedException(SendDecision decision)
    : Exception(decision.Reason ?? "Too many codes were requested. Try again later.")
{
    public SendDecision Decision { get; } = decision;
}
