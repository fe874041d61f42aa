using Tessera.Domain.Policies;

namespace Tessera.Portal.Tests.Support;

/// <summary>Policies a test sets directly (the store's caching and storage are tested on their own).</summary>
public sealed class FixedPolicies(PolicySet? policies = null) : IPolicies
{
    public PolicySet Current { get; set; } = policies ?? new PolicySet();

    public ValueTask<PolicySet> CurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Current);
}

/// <summary>Allows every send, for tests about something other than abuse limits.</summary>
public sealed class UnlimitedSendLimiter : ISendLimiter
{
    public static UnlimitedSendLimiter Instance { get; } = new();

    public Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default) => Task.FromResult(SendDecision.Allow);
}
