namespace Tessera.Domain.Policies;

/// <summary>Placeholder until the database-backed limiter lands: allows every send.</summary>
internal sealed class UnlimitedSendLimiter : ISendLimiter
{
    public Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default) => Task.FromResult(SendDecision.Allow);
}

public static class SendLimiters
{
    public static ISendLimiter Unlimited { get; } = new UnlimitedSendLimiter();
}
