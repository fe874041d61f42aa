using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Accounts;

/// <summary>What a step-up proof allows; a proof for one purpose never serves another.</summary>
public static class StepUpPurposes
{
    public const string RemoveAuthenticator = "factor.remove-authenticator";
    public const string RemovePasskey = "factor.remove-passkey";
    public const string ChangePhone = "factor.change-phone";
    public const string RemovePushDevice = "factor.remove-push-device";
    public const string RegenerateRecoveryCodes = "factor.regenerate-recovery-codes";
    public const string AddFactor = "factor.add";
    public const string GrantAdmin = "admin.grant-admin";
    public const string RemoveAdmin = "admin.remove-admin";
    public const string LockAccount = "admin.lock";
    public const string ResetSecondFactors = "admin.reset-second-factors";
    public const string DeleteAccount = "account.delete";
    public const string RotateKeys = "admin.rotate-keys";
}

/// <summary>
/// Short-lived, single-use proofs that a user re-proved who they are (their password or another factor) for one
/// purpose. Only <c>SignIn.StepUp</c>, after a successful re-check, issues them; the domain methods that change a
/// factor consume them, so no method takes "the caller has checked" on trust. A proof is a Data Protection token
/// (every node shares the keys) naming a random id, the user, the purpose and its expiry; the id is spent once,
/// counted in the database, so a replay fails on every node.
/// </summary>
public sealed class StepUpProofs(IDataProtectionProvider protection, AttemptCounters counters, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const string UsedRule = "stepup-used";

    private readonly IDataProtector protector = protection.CreateProtector("Tessera.Accounts.StepUpProofs");

    /// <summary>Internal on purpose: only the re-check in this assembly may vouch for a user.</summary>
    internal StepUpProof Issue(string userId, string purpose)
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var expires = (time.GetUtcNow() + Lifetime).ToUnixTimeMilliseconds();
        return new StepUpProof(this, protector.Protect($"{id}|{userId}|{purpose}|{expires}"));
    }

    /// <summary>True once for a proof of this user and purpose that has not expired; false for anything else.</summary>
    internal async Task<bool> ConsumeAsync(string? proof, string userId, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(proof))
        {
            return false;
        }
        string payload;
        try
        {
            payload = protector.Unprotect(proof);
        }
        catch (CryptographicException)
        {
            return false;
        }
        var parts = payload.Split('|');
        if (parts.Length != 4 || parts[1] != userId || parts[2] != purpose || !long.TryParse(parts[3], out var expires)
            || time.GetUtcNow().ToUnixTimeMilliseconds() > expires)
        {
            return false;
        }
        // Spent once: the counter of this id goes to 1 for the first use only, on any node.
        return await counters.CountUseAsync(UsedRule, parts[0], DateTimeOffset.FromUnixTimeMilliseconds(expires), cancellationToken) == 1;
    }
}

/// <summary>
/// A step-up proof as the domain methods take it. Only this assembly can make one (after a real re-check), so a page
/// cannot hand a factor change a proof it made up; it spends itself once, for its own user and purpose.
/// </summary>
public sealed class StepUpProof
{
    private readonly StepUpProofs issuer;
    private readonly string token;

    internal StepUpProof(StepUpProofs issuer, string token)
    {
        this.issuer = issuer;
        this.token = token;
    }

    /// <summary>The token, for callers that carry the proof across a request.</summary>
    public override string ToString() => token;

    /// <summary>
    /// A proof carried through the browser (<see cref="ToString"/>), as a JSON endpoint receives it: still only what
    /// Tessera issued, since the token is Data Protection's and spends once.
    /// </summary>
    public static StepUpProof? Carried(StepUpProofs issuer, string? token) => string.IsNullOrEmpty(token) ? null : new StepUpProof(issuer, token);

    /// <summary>True the first time, for this user and purpose, within its five minutes; false ever after.</summary>
    public Task<bool> SpendAsync(string userId, string purpose, CancellationToken cancellationToken = default) =>
        issuer.ConsumeAsync(token, userId, purpose, cancellationToken);
}
