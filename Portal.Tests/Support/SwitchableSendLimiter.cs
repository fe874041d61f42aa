using Tessera.Domain.Policies;

namespace Tessera.Portal.Tests.Support;

/// <summary>Allows every send until a test sets <see cref="Refusal"/>; then refuses with it, as a real abuse limit would.</summary>
public sealed class SwitchableSendLimiter : ISendLimiter
{
    public SendDecision? Refusal { get; set; }

    public Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default) =>
        Task.FromResult(Refusal ?? SendDecision.Allow);

    public static SendDecision PerUser => new(false, "per-user", TimeSpan.FromMinutes(20), "You asked for too many codes. Try again in 20 minutes.");
}
