using Hangfire;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;

namespace Tessera.Portal.Hosting;

/// <summary>
/// The one way a rotation starts: the daily Hangfire job, an admin's "Rotate now" (step-up first) and the
/// <c>keys rotate</c> command all come here, which audits them. One rotation runs at a time across every node.
/// </summary>
public sealed class KeyRotationJob(KeyRotation rotation, SecretRotation secrets, AuditLog audit, IBackgroundJobClient jobs)
{
    public const string RecurringId = "keys.rotate";

    /// <summary>
    /// Daily: rotates when the active key is due and finishes a rotation that a crash cut short; otherwise finishes
    /// re-making values under the newest secret versions and destroys the secret versions nothing needs any more.
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task ScheduledAsync(CancellationToken cancellationToken)
    {
        if (await rotation.RunScheduledAsync(cancellationToken) is { } result)
        {
            await AuditAsync(await WithNewSecretsAsync(result, cancellationToken), "schedule", cancellationToken);
            return;
        }
        var tidied = await secrets.TidyAsync(cancellationToken);
        if (tidied.Count > 0)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.KeysRotated, AuditOutcome.Success,
                Detail: "secrets tidied: " + string.Join(", ", tidied.Select(t =>
                    $"{t.Name}=v{t.Version} ({t.Remade} remade; retired {(t.Retired.Count == 0 ? "none" : string.Join(",", t.Retired.Select(r => $"v{r}")))})"))),
                cancellationToken);
        }
    }

    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RotateNowAsync(string requestedBy, CancellationToken cancellationToken) =>
        await AuditAsync(await WithNewSecretsAsync(await rotation.RotateAsync(cancellationToken: cancellationToken), cancellationToken), requestedBy, cancellationToken);

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
        var result = await WithNewSecretsAsync(await rotation.RotateAsync(cancellationToken: cancellationToken), cancellationToken);
        await AuditAsync(result, "command line", cancellationToken);
        return result;
    }

    /// <summary>
    /// Every install secret rotates with the field keys: a new version of each, and what can be made again (number
    /// hashes, checkpoint signatures) made under it. Look-ups try every version meanwhile; the daily run destroys the
    /// old versions once nothing needs them.
    /// </summary>
    private async Task<RotationResult> WithNewSecretsAsync(RotationResult result, CancellationToken cancellationToken) =>
        result with { Secrets = await secrets.RotateAsync(cancellationToken) };

    private Task AuditAsync(RotationResult result, string by, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(AuditEventTypes.KeysRotated, AuditOutcome.Success,
            Detail: $"active_key={result.ActiveKey}; reencrypted={result.Reencrypted}; retired={(result.Retired.Count == 0 ? "none" : string.Join(",", result.Retired))}; secrets={result.SecretsSummary}; by={by}"),
            cancellationToken);
}
