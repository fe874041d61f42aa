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
    /// <summary>Counts the attempt in a transaction of its own.</summary>
    Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a caller that counts the attempt in its own transaction (a send that commits its challenge, message, counts
    /// and audit event at once): everything that reads policies or keys happens here, the counting in
    /// <see cref="SendCount.CountAsync"/>. A limiter that keeps no counts in the database decides here.
    /// </summary>
    async Task<SendCount> PrepareAsync(SendAttempt attempt, CancellationToken cancellationToken = default) =>
        SendCount.Decided(await CheckAsync(attempt, cancellationToken));
}

/// <summary>A prepared count: run <see cref="CountAsync"/> inside the caller's transaction.</summary>
public sealed class SendCount(Func<Persistence.PortalDbContext, Task<SendDecision>> count)
{
    public static SendCount Decided(SendDecision decision) => new(_ => Task.FromResult(decision));

    /// <summary>Counts in <paramref name="db"/>'s current transaction; a refusal leaves no count behind (a savepoint is rolled back).</summary>
    public Task<SendDecision> CountAsync(Persistence.PortalDbContext db) => count(db);
}

/// <summary>Thrown by Challenges when a send is refused by <see cref="ISendLimiter"/>; nothing was stored or sent.</summary>
public sealed class SendRefusedException(SendDecision decision)
    : Exception(decision.Reason ?? "Too many codes were requested. Try again later.")
{
    public SendDecision Decision { get; } = decision;
}
