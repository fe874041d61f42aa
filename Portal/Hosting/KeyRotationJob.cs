using Hangfire;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;

namespace Tessera.Portal.Hosting;

/// <summary>
/// The one way a rotation starts: the daily Hangfire job, an admin's "Rotate now" (step-up first) and the
/// <c>keys rotate</c> command all come here, which audits them. One rotation runs at a time across every node.
/// </summary>
public sealed class KeyRotationJob(KeyRotation rotation, AuditLog audit, IBackgroundJobClient jobs)
{
    public const string RecurringId = "keys.rotate";

    /// <summary>Daily: rotates when the active key is due, and finishes a rotation that a crash cut short.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task ScheduledAsync(CancellationToken cancellationToken)
    {
        if (await rotation.RunScheduledAsync(cancellationToken) is { } result)
        {
            await AuditAsync(result, "schedule", cancellationToken);
        }
    }

    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RotateNowAsync(string requestedBy, CancellationToken cancellationToken) =>
        await AuditAsync(await rotation.RotateAsync(cancellationToken: cancellationToken), requestedBy, cancellationToken);

    /// <summary>An admin's "Rotate now": the admin's own step-up is spent here, then the job is queued.</summary>
    /// <exception cref="UnauthorizedAccessException">Without a valid step-up proof of the admin for it.</exception>
    public async Task<string> RequestAsync(string actorId, StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        if (proof is null || !await proof.SpendAsync(actorId, StepUpPurposes.RotateKeys, cancellationToken))
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.KeyRotationRequested, AuditOutcome.Failure, actorId, Detail: "no valid step-up proof"), cancellationToken);
            throw new UnauthorizedAccessException("Confirm it is you before rotating the keys.");
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.KeyRotationRequested, AuditOutcome.Success, actorId, Detail: "from /admin/keys"), cancellationToken);
        return jobs.Enqueue<KeyRotationJob>(job => job.RotateNowAsync("admin", CancellationToken.None));
    }

    /// <summary>The command line's rotation: in this process, with its output, audited as the operator's.</summary>
    public async Task<RotationResult> RunHereAsync(CancellationToken cancellationToken = default)
    {
        var result = await rotation.RotateAsync(cancellationToken: cancellationToken);
        await AuditAsync(result, "command line", cancellationToken);
        return result;
    }

    private Task AuditAsync(RotationResult result, string by, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(AuditEventTypes.KeysRotated, AuditOutcome.Success,
            Detail: $"active_key={result.ActiveKey}; reencrypted={result.Reencrypted}; retired={(result.Retired.Count == 0 ? "none" : string.Join(",", result.Retired))}; by={by}"),
            cancellationToken);
}
