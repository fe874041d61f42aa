using Tessera.Domain.Accounts;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Factors.Phones;

public sealed record PhoneSummary(Guid Id, string Masked, string Region, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt, DateTimeOffset? LastUsedAt)
{
    public bool Verified => VerifiedAt is not null;
}

/// <param name="Error">Why the number was refused, fit to show under the field.</param>
public sealed record AddPhoneResult(PhoneSummary? Phone, string? Error);

/// <param name="Problem">Why no code was sent, fit to show the user (a cooldown, or too many codes).</param>
public sealed record CodeSent(bool Sent, Guid? ChallengeId = null, int RetryAfterSeconds = 0, string? Problem = null);

public enum PhoneVerification
{
    Verified,
    WrongCode,
    /// <summary>The code expired, ran out of checks, or was never sent: the user needs a new code.</summary>
    NeedsNewCode,
}

/// <param name="FirstRecoveryCodes">When the phone is the user's first factor: their first recovery codes, shown once.</param>
public sealed record PhoneCheck(PhoneVerification Outcome, int AttemptsLeft = 0, IReadOnlyList<string>? FirstRecoveryCodes = null);

/// <summary>
/// Phones in the security center: add (parsed with libphonenumber, encrypted at rest, found by a keyed hash), verify
/// with a code sent by SMS, remove. Only verified phones are offered at sign-in.
/// </summary>
public sealed class UserPhones(
    IDbContextFactory<PortalDbContext> dbFactory,
    TimeProvider time,
    SecretStore secrets,
    AuditLog audit,
    Challenges.Challenges challenges,
    ChallengeTexts texts,
    FactorLifecycle lifecycle,
    IOptions<PhoneOptions> options)
{
    public const string NumberSecretName = "phones.number-hash";
    public const string VerifyPurpose = "verify-phone";

    /// <summary>Enough for a work phone, a personal one and spares; more would only help someone pump SMS.</summary>
    public const int MaxPhonesPerUser = 5;

    private ValueTask<IReadOnlyList<InstallSecret>> HashKeysAsync() => secrets.VersionsAsync(NumberSecretName, 32);

    public async Task<IReadOnlyList<PhoneSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserPhones.AsNoTracking().Where(p => p.UserId == userId)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id)
            .Select(p => new PhoneSummary(p.Id, p.Masked, p.Region, p.CreatedAt, p.VerifiedAt, p.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The user's own numbers in full (E.164), for their data export and for nothing else.</summary>
    public async Task<IReadOnlyList<(PhoneSummary Phone, string Number)>> ListWithNumbersAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.UserPhones.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        return rows.Select(p => (new PhoneSummary(p.Id, p.Masked, p.Region, p.CreatedAt, p.VerifiedAt, p.LastUsedAt), Encoding.UTF8.GetString(p.Number)))
            .ToList();
    }

    public async Task<IReadOnlyList<PhoneSummary>> ListVerifiedAsync(string userId, CancellationToken cancellationToken = default) =>
        (await ListAsync(userId, cancellationToken)).Where(p => p.Verified).ToList();

    /// <summary>Why <paramref name="input"/> is not a phone number that can be added, or null when it is one.</summary>
    public string? Problem(string? input) =>
        PhoneNumberParser.TryParse(input, options.Value.DefaultRegion, out _, out var error) ? null : error;

    /// <summary>
    /// Adds a number to verify. A user who already has a second factor must give a step-up proof for it (spent once the
    /// number parsed): a stolen session must not add its own phone, which would then receive sign-in codes.
    /// </summary>
    public async Task<AddPhoneResult> AddAsync(string userId, string? input, StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        if (!PhoneNumberParser.TryParse(input, options.Value.DefaultRegion, out var parsed, out var error))
        {
            return new AddPhoneResult(null, error);
        }
        if (!await lifecycle.MayAddAsync(userId, proof, StepUpPurposes.ChangePhone, cancellationToken))
        {
            await RecordAsync(AuditEventTypes.PhoneAdded, AuditOutcome.Failure, userId, "no valid step-up proof", cancellationToken);
            return new AddPhoneResult(null, "Confirm it is you first: your confirmation has expired or was already used.");
        }
        var hashes = await HashesAsync(parsed!.E164);
        var hash = hashes[0];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await db.UserPhones.Where(p => p.UserId == userId).Select(p => p.NumberHash).ToListAsync(cancellationToken);
        if (existing.Intersect(hashes).Any())
        {
            return await RefusedAsync(userId, "duplicate", "That number is already on your account.", cancellationToken);
        }
        if (existing.Count >= MaxPhonesPerUser)
        {
            return await RefusedAsync(userId, "limit reached", $"You can add up to {MaxPhonesPerUser} phone numbers. Remove one first.", cancellationToken);
        }
        var phone = new UserPhone
        {
            UserId = userId,
            Number = Encoding.UTF8.GetBytes(parsed.E164),
            NumberHash = hash,
            Masked = parsed.Masked,
            Region = parsed.RegionCode,
            CreatedAt = time.GetUtcNow(),
        };
        db.UserPhones.Add(phone);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index on (user, hash): the same number added twice at once.
            return await RefusedAsync(userId, "duplicate", "That number is already on your account.", cancellationToken);
        }
        await RecordAsync(AuditEventTypes.PhoneAdded, AuditOutcome.Success, userId, $"id={phone.Id}; number={phone.Masked}; region={phone.Region}", cancellationToken);
        return new AddPhoneResult(new PhoneSummary(phone.Id, phone.Masked, phone.Region, phone.CreatedAt, null, null), null);
    }

    /// <summary>
    /// Sends a verification code by SMS: a new code replaces the live one, within the resend cooldown and the sends
    /// allowed per challenge; a closed challenge (expired, out of checks) is replaced by a new one.
    /// </summary>
    /// <exception cref="Policies.SendRefusedException">An abuse limit refused the send.</exception>
    public async Task<CodeSent> SendVerificationCodeAsync(string userId, Guid phoneId, string? clientIp = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var phone = await db.UserPhones.AsNoTracking().SingleOrDefaultAsync(p => p.Id == phoneId && p.UserId == userId, cancellationToken);
        if (phone is null || phone.VerifiedAt is not null)
        {
            return new CodeSent(false, Problem: phone is null ? "That phone number is no longer on your account." : "That phone number is already verified.");
        }
        var binding = ChallengeBinding.ForUser(userId);
        var compose = texts.For(VerifyPurpose, Channel.Sms);
        if (phone.VerificationChallengeId is { } live && await challenges.ResendAsync(live, binding, compose, clientIp, cancellationToken) is { } resent
            && resent.Outcome != ResendOutcome.Closed)
        {
            return Describe(resent, live);
        }
        var created = await challenges.CreateAsync(new ChallengeRequest(VerifyPurpose, binding, Channel.Sms,
            Encoding.UTF8.GetString(phone.Number), phone.Masked, compose, phone.Region, clientIp), cancellationToken);
        await db.UserPhones.Where(p => p.Id == phoneId && p.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.VerificationChallengeId, created.ChallengeId), cancellationToken);
        return new CodeSent(true, created.ChallengeId);
    }

    /// <summary>Checks the code sent to the phone; the phone is verified by one conditional update.</summary>
    public async Task<PhoneCheck> ConfirmAsync(string userId, Guid phoneId, string code, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var phone = await db.UserPhones.AsNoTracking().SingleOrDefaultAsync(p => p.Id == phoneId && p.UserId == userId, cancellationToken);
        if (phone?.VerificationChallengeId is not { } challengeId)
        {
            return new PhoneCheck(phone?.VerifiedAt is null ? PhoneVerification.NeedsNewCode : PhoneVerification.Verified);
        }
        var result = await challenges.CheckAsync(challengeId, code, ChallengeBinding.ForUser(userId), cancellationToken);
        if (result?.Status != ChallengeStatus.Approved)
        {
            await RecordAsync(AuditEventTypes.PhoneVerified, AuditOutcome.Failure, userId, $"id={phoneId}; {(result is null ? "no code" : result.Status.ToString())}", cancellationToken);
            return result is { Status: ChallengeStatus.Pending }
                ? new PhoneCheck(PhoneVerification.WrongCode, result.AttemptsLeft)
                : new PhoneCheck(PhoneVerification.NeedsNewCode);
        }
        var now = time.GetUtcNow();
        var verified = await db.UserPhones
            .Where(p => p.Id == phoneId && p.UserId == userId && p.VerifiedAt == null && p.VerificationChallengeId == challengeId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.VerifiedAt, now)
                .SetProperty(p => p.LastUsedAt, now)
                .SetProperty(p => p.VerificationChallengeId, (Guid?)null), cancellationToken);
        if (verified == 0)
        {
            // Removed while the code was being checked: nothing to verify.
            return new PhoneCheck(PhoneVerification.NeedsNewCode);
        }
        // Verified, it is a second factor: the rest of the addition is the lifecycle's. No step-up proof here: AddAsync
        // spent one (MayAddAsync) when the number was added, and an unverified number is no factor; the code proves
        // only that the user holds the phone.
        var added = await lifecycle.AddedAsync(userId, FactorKind.Phone, phoneId, phone.Masked, $"id={phoneId}; number={phone.Masked}", cancellationToken);
        return new PhoneCheck(PhoneVerification.Verified, FirstRecoveryCodes: added.FirstRecoveryCodes);
    }



    /// <summary>The users who have added this number (any format libphonenumber reads), found by its keyed hash.</summary>
    public async Task<IReadOnlyList<string>> FindUsersAsync(string number, CancellationToken cancellationToken = default)
    {
        if (!PhoneNumberParser.TryParse(number, options.Value.DefaultRegion, out var parsed, out _))
        {
            return [];
        }
        var known = await HashKeysAsync();
        var users = await FindByHashesAsync(Hashes(known, parsed!.E164), cancellationToken);
        if (users.Count == 0)
        {
            // Another node may have added a version and re-hashed the numbers since this one loaded its keys.
            var fresh = await secrets.ReloadAsync(NumberSecretName, 32, cancellationToken);
            if (fresh.Count != known.Count)
            {
                users = await FindByHashesAsync(Hashes(fresh, parsed.E164), cancellationToken);
            }
        }
        return users;
    }

    /// <summary>
    /// After a new version of the number key: every stored number hash made under an older version is made again
    /// under the current one, in batches, from the (decrypted) number. Safe to run again; look-ups work throughout,
    /// since they hash under every version.
    /// </summary>
    public async Task<int> RehashAsync(int batchSize = 200, CancellationToken cancellationToken = default)
    {
        var current = await secrets.CurrentAsync(NumberSecretName, 32, cancellationToken);
        var done = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var batch = await db.UserPhones.NotMadeWith(p => p.NumberHash, current.Version)
                .OrderBy(p => p.Id).Take(batchSize).ToListAsync(cancellationToken);
            foreach (var phone in batch)
            {
                db.Entry(phone).Property(p => p.NumberHash).CurrentValue = current.KeyedHash(NumberInput(Encoding.UTF8.GetString(phone.Number)));
            }
            await db.SaveChangesAsync(cancellationToken);
            done += batch.Count;
            if (batch.Count < batchSize)
            {
                return done;
            }
        }
    }

    private async Task<List<string>> FindByHashesAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserPhones.AsNoTracking().Where(p => hashes.Contains(p.NumberHash)).Select(p => p.UserId).ToListAsync(cancellationToken);
    }

    /// <summary>The number of a verified phone, to send a sign-in code to; null when it is not the user's or not verified.</summary>
    internal async Task<(string E164, string Masked, string Region)?> VerifiedNumberAsync(string userId, Guid phoneId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var phone = await db.UserPhones.AsNoTracking()
            .SingleOrDefaultAsync(p => p.Id == phoneId && p.UserId == userId && p.VerifiedAt != null, cancellationToken);
        return phone is null ? null : (Encoding.UTF8.GetString(phone.Number), phone.Masked, phone.Region);
    }

    internal async Task MarkUsedAsync(string userId, Guid phoneId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.UserPhones.Where(p => p.Id == phoneId && p.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastUsedAt, now), cancellationToken);
    }

    internal static CodeSent Describe(ResendResult resent, Guid challengeId) => resent.Outcome switch
    {
        ResendOutcome.Sent => new CodeSent(true, challengeId),
        ResendOutcome.Cooldown => new CodeSent(false, challengeId, resent.RetryAfterSeconds,
            $"A code was sent a moment ago. You can ask for a new one in {resent.RetryAfterSeconds} seconds."),
        _ => new CodeSent(false, challengeId, Problem: "You asked for too many codes. Use the last code you received, or try again later."),
    };

    /// <summary>The number's keyed hash under every version of the key, the current one first.</summary>
    private async Task<IReadOnlyList<string>> HashesAsync(string e164) => Hashes(await HashKeysAsync(), e164);

    private static IReadOnlyList<string> Hashes(IReadOnlyList<InstallSecret> versions, string e164) =>
        versions.Select(v => v.KeyedHash(NumberInput(e164))).ToList();

    private static string NumberInput(string e164) => $"tessera.phone.v1|{e164}";

    private async Task<AddPhoneResult> RefusedAsync(string userId, string reason, string message, CancellationToken cancellationToken)
    {
        await RecordAsync(AuditEventTypes.PhoneAdded, AuditOutcome.Failure, userId, reason, cancellationToken);
        return new AddPhoneResult(null, message);
    }

    private Task RecordAsync(string type, AuditOutcome outcome, string userId, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(type, outcome, userId, userId, Detail: detail), cancellationToken);
}
