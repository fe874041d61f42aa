using Hangfire;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Keys;

namespace Tessera.Portal.Hosting;

/// <summary>
/// The one way a rotation starts: the daily Hangfire job, an admin's "Rotate now" (step-up first) and the
/// <c>keys rotate</c> command all come here, which audits them. One rotation runs at a time across every node.
/// </summary>
public sealed class KeyRotationJob(KeyRotation rotation, SecretStore secrets, UserPhones phones, AuditLog audit, IBackgroundJobClient jobs)
{
    public const string RecurringId = "keys.rotate";

    /// <summary>Daily: rotates when the active key is due, and finishes a rotation that a crash cut short.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task ScheduledAsync(CancellationToken cancellationToken)
    {
        if (await rotation.RunScheduledAsync(cancellationToken) is { } result)
        {
            await AuditAsync(await WithNewNumberKeyAsync(result, cancellationToken), "schedule", cancellationToken);
            return;
        }
        // A re-hash that a crash cut short is finished here (nothing to do costs one query).
        await phones.RehashAsync(cancellationToken: cancellationToken);
    }

    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RotateNowAsync(string requestedBy, CancellationToken cancellationToken) =>
        await AuditAsync(await WithNewNumberKeyAsync(await rotation.RotateAsync(cancellationToken: cancellationToken), cancellationToken), requestedBy, cancellationToken);

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
        var result = await WithNewNumberKeyAsync(await rotation.RotateAsync(cancellationToken: cancellationToken), cancellationToken);
        await AuditAsync(result, "command line", cancellationToken);
        return result;
    }

    /// <summary>
    /// The phone look-up key rotates with the field keys: a new version, then every stored number hash made again
    /// under it (look-ups hash under every version meanwhile). The IP pseudonym, destination and code keys keep one
    /// version: their values cannot be recomputed (the address is not stored) or live minutes.
    /// </summary>
    private async Task<RotationResult> WithNewNumberKeyAsync(RotationResult result, CancellationToken cancellationToken)
    {
        var version = await secrets.AddVersionAsync(UserPhones.NumberSecretName, 32, cancellationToken);
        var rehashed = await phones.RehashAsync(cancellationToken: cancellationToken);
        return result with { NumberKeyVersion = version.Version, NumbersRehashed = rehashed };
    }

    private Task AuditAsync(RotationResult result, string by, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(AuditEventTypes.KeysRotated, AuditOutcome.Success,
            Detail: $"active_key={result.ActiveKey}; reencrypted={result.Reencrypted}; retired={(result.Retired.Count == 0 ? "none" : string.Join(",", result.Retired))}; number_key=v{result.NumberKeyVersion}; rehashed={result.NumbersRehashed}; by={by}"),
            cancellationToken);
}
