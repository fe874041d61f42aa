using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Challenges;

/// <summary>
/// One-time codes sent by SMS or email: create (with its message, in one transaction), check, resend, cancel. Every
/// limit (checks, single approval, one live code, cooldown) is enforced by a conditional update, so it holds across
/// nodes and concurrent requests. Codes exist only in memory and in the message body; never in the challenge row,
/// the audit log or the application log.
/// </summary>
public sealed class Challenges(
    IDbContextFactory<PortalDbContext> dbFactory,
    TimeProvider time,
    SecretStore secrets,
    AuditLog audit,
    IPolicies policies,
    MessageQueue messages,
    ISendLimiter limiter,
    IDeliveryTrigger trigger,
    ChallengeTexts texts)
{
    public const string CodeSecretName = "challenges.code-mac";
    public const string DestinationSecretName = "challenges.destination";

    private Task<InstallSecret> CodeKeyAsync() => secrets.CurrentAsync(CodeSecretName, 32);

    /// <exception cref="SendRefusedException">An abuse limit refused the send; nothing was stored or sent.</exception>
    public async Task<ChallengeCreated> CreateAsync(ChallengeRequest request, CancellationToken cancellationToken = default)
    {
        var kind = request.Channel;
        var policy = (await policies.CurrentAsync(cancellationToken)).Otp;
        var destination = ChallengeCodes.CountedDestination(request.Channel, request.Destination);
        var destinationHash = ChallengeCodes.DestinationHash(await secrets.CurrentAsync(DestinationSecretName, 32, cancellationToken), destination);
        await EnforceLimitsAsync(request.Channel, destination, request.Region, request.Binding, request.ClientIp, cancellationToken);
        var codeKey = await CodeKeyAsync();
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var code = ChallengeCodes.Generate(policy.CodeLength);
        var expiresAt = now + policy.Lifetime;
        var challenge = new OtpChallenge
        {
            Id = id,
            Purpose = request.Purpose,
            UserId = request.Binding.UserId,
            ClientId = request.Binding.ClientId,
            Channel = request.Channel,
            DestinationHash = destinationHash,
            Region = request.Region,
            MaskedDestination = request.MaskedDestination,
            CodeHash = ChallengeCodes.Mac(codeKey.Key, id, code),
            CodeKeyVersion = codeKey.Version,
            ExpiresAt = expiresAt,
            Sends = 1,
            LastSentAt = now,
            CreatedAt = now,
        };

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One SaveChanges, one transaction: a challenge never exists without the message that carries its code.
        var fallback = kind == Channel.Sms && request.FallbackEmail is { } email
            ? EmailRoute(email, texts.For(request.Purpose, Channel.Email)(code))
            : null;
        var messageId = messages.Stage(db, Draft(kind, request.Destination, request.Compose(code), id, request.Purpose, request.MaskedDestination, fallback));
        challenge.MessageId = messageId;
        db.OtpChallenges.Add(challenge);
        await db.SaveChangesAsync(cancellationToken);
        trigger.Queued(messageId);
        await AuditAsync(AuditEventTypes.ChallengeCreated, AuditOutcome.Success, request.Binding,
            $"id={id}; purpose={request.Purpose}; channel={request.Channel}; message={messageId}", cancellationToken);
        return new ChallengeCreated(id, messageId, challenge.ExpiresAt);
    }

    /// <summary>
    /// Checks a code. Null when no challenge with this id belongs to <paramref name="binding"/>: another user's or
    /// client's challenge is indistinguishable from a missing one.
    /// </summary>
    public async Task<CheckResult?> CheckAsync(Guid id, string code, ChallengeBinding binding, CancellationToken cancellationToken = default)
    {
        var maxChecks = (await policies.CurrentAsync(cancellationToken)).Otp.MaxChecks;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // A closed challenge is answered from a read: checks of dead ids never queue for the database's write lock.
        var stored = await Owned(db, id, binding).Select(c => (ChallengeStatus?)c.Status).SingleOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            return null;
        }
        if (stored != ChallengeStatus.Pending)
        {
            return await RefuseCheckAsync(db, id, binding, now, maxChecks, cancellationToken);
        }

        // Count the check before looking at the code: a guess that is never counted would make the limit worthless.
        var counted = await Owned(db, id, binding)
            .Where(c => c.Status == ChallengeStatus.Pending && c.Checks < maxChecks && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Checks, c => c.Checks + 1), cancellationToken);
        if (counted == 0)
        {
            return await RefuseCheckAsync(db, id, binding, now, maxChecks, cancellationToken);
        }

        // Read after counting: a resend in between has replaced the hash, and the old code must not match.
        var row = await Owned(db, id, binding).AsNoTracking()
            .Select(c => new { c.CodeHash, c.CodeKeyVersion, c.Checks, c.Sends })
            .SingleAsync(cancellationToken);
        var attemptsLeft = Math.Max(0, maxChecks - row.Checks);
        // Under the key version the code was made with: a rotation while the code is live changes nothing for it.
        var key = await secrets.VersionAsync(CodeSecretName, 32, row.CodeKeyVersion, cancellationToken);
        var presented = key is null ? null : ChallengeCodes.Mac(key.Key, id, ChallengeCodes.Normalize(code));

        // Constant time: the code must not leak through timing.
        if (presented is null || !CryptographicOperations.FixedTimeEquals(presented, row.CodeHash))
        {
            var status = ChallengeStatus.Pending;
            if (attemptsLeft == 0)
            {
                status = ChallengeStatus.MaxAttemptsReached;
                await Owned(db, id, binding)
                    .Where(c => c.Status == ChallengeStatus.Pending && c.Checks >= maxChecks)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChallengeStatus.MaxAttemptsReached), cancellationToken);
            }
            await AuditAsync(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure, binding, $"id={id}; wrong code; attempts left={attemptsLeft}", cancellationToken);
            return new CheckResult(status, attemptsLeft);
        }

        // Single use: of all the checks that matched, one conditional update approves. MaxAttemptsReached is allowed
        // as a source because a concurrent wrong check may have closed the challenge after this check was counted
        // within the limit; the Sends guard refuses a code that a resend replaced while this check was running.
        var approved = await Owned(db, id, binding)
            .Where(c => (c.Status == ChallengeStatus.Pending || c.Status == ChallengeStatus.MaxAttemptsReached) && c.Sends == row.Sends)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChallengeStatus.Approved)
                .SetProperty(c => c.ApprovedAt, now), cancellationToken);
        if (approved == 1)
        {
            await AuditAsync(AuditEventTypes.ChallengeChecked, AuditOutcome.Success, binding, $"id={id}; approved", cancellationToken);
            return new CheckResult(ChallengeStatus.Approved, attemptsLeft);
        }
        return await RefuseCheckAsync(db, id, binding, now, maxChecks, cancellationToken);
    }

    /// <summary>
    /// Sends a new code, which replaces the old one (only one code is ever live) and gets a full lifetime; the checks
    /// already made still count. Null when no challenge with this id belongs to <paramref name="binding"/>.
    /// </summary>
    /// <exception cref="SendRefusedException">An abuse limit refused the send; the live code is unchanged.</exception>
    public async Task<ResendResult?> ResendAsync(
        Guid id, ChallengeBinding binding, Func<string, (string Subject, string Text)> compose, string? clientIp = null,
        CancellationToken cancellationToken = default)
    {
        var policy = (await policies.CurrentAsync(cancellationToken)).Otp;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }
        if (RefuseResend(row, now, policy) is { } refused)
        {
            await AuditAsync(AuditEventTypes.ChallengeResent, AuditOutcome.Failure, binding, $"id={id}; {refused.Outcome}", cancellationToken);
            return refused;
        }

        // The destination is kept only as a hash here; Delivery's record of the current message says where it went.
        var recipient = await messages.GetRecipientAsync(row.MessageId ?? Guid.Empty, cancellationToken)
            ?? throw new InvalidOperationException($"Challenge {id} has no message to resend to.");
        await EnforceLimitsAsync(row.Channel, ChallengeCodes.CountedDestination(row.Channel, recipient), row.Region, binding, clientIp, cancellationToken);
        var fallbackEmail = await messages.GetFallbackRecipientAsync(row.MessageId ?? Guid.Empty, Channel.Email, cancellationToken);
        var code = ChallengeCodes.Generate(policy.CodeLength);
        var codeKey = await CodeKeyAsync();
        var hash = ChallengeCodes.Mac(codeKey.Key, id, code);
        var kind = row.Channel;
        // The fallback carries the new code too: the old one is dead once this resend wins.
        var fallback = kind == Channel.Sms && fallbackEmail is not null
            ? EmailRoute(fallbackEmail, texts.For(row.Purpose, Channel.Email)(code))
            : null;
        // Staged first so the conditional update can point the challenge at it; saved only if that update wins.
        var messageId = messages.Stage(db, Draft(kind, recipient, compose(code), id, row.Purpose, row.MaskedDestination, fallback));
        var expiresAt = now + policy.Lifetime;
        var cooldownEnd = now - policy.ResendCooldown;
        var maxChecks = policy.MaxChecks;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Sends == what was read: of two concurrent resends one wins, so there is never a second live code.
        var replaced = await Owned(db, id, binding)
            .Where(c => c.Status == ChallengeStatus.Pending && c.Sends == row.Sends && c.Checks < maxChecks && c.ExpiresAt > now
                && (c.LastSentAt == null || c.LastSentAt <= cooldownEnd))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.CodeHash, hash)
                .SetProperty(c => c.CodeKeyVersion, codeKey.Version)
                .SetProperty(c => c.Sends, c => c.Sends + 1)
                .SetProperty(c => c.LastSentAt, now)
                .SetProperty(c => c.ExpiresAt, expiresAt)
                .SetProperty(c => c.MessageId, (Guid?)messageId), cancellationToken);
        if (replaced == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var current = await Owned(db, id, binding).AsNoTracking().SingleAsync(cancellationToken);
            return RefuseResend(current, now, policy)
                ?? new ResendResult(ResendOutcome.Cooldown, ChallengeStatus.Pending, RetryAfterSeconds: (int)Math.Ceiling(policy.ResendCooldown.TotalSeconds));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        trigger.Queued(messageId);
        await AuditAsync(AuditEventTypes.ChallengeResent, AuditOutcome.Success, binding, $"id={id}; send={row.Sends + 1}; message={messageId}", cancellationToken);
        return new ResendResult(ResendOutcome.Sent, ChallengeStatus.Pending, messageId, expiresAt);
    }

    /// <summary>Cancels a challenge that can still be answered; false when it cannot (or is not the binding's).</summary>
    public async Task<bool> CancelAsync(Guid id, ChallengeBinding binding, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var canceled = await Owned(db, id, binding)
            .Where(c => c.Status == ChallengeStatus.Pending && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChallengeStatus.Canceled), cancellationToken) == 1;
        if (canceled)
        {
            await AuditAsync(AuditEventTypes.ChallengeCanceled, AuditOutcome.Success, binding, $"id={id}", cancellationToken);
        }
        return canceled;
    }

    /// <summary>
    /// The challenge as the API shows it. A read, not a check: after approval it says Approved, while a further
    /// check is answered Expired.
    /// </summary>
    public async Task<ChallengeView?> GetAsync(Guid id, ChallengeBinding binding, CancellationToken cancellationToken = default)
    {
        var policy = (await policies.CurrentAsync(cancellationToken)).Otp;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return row is null
            ? null
            : new ChallengeView(row.Id, row.Purpose, Effective(row, now, policy.MaxChecks), row.Channel, row.MaskedDestination,
                row.ExpiresAt, Math.Max(0, policy.MaxChecks - row.Checks),
                Math.Max(0, policy.MaxSends - row.Sends), row.MessageId);
    }

    /// <summary>
    /// Answers a check that was not counted. A challenge already approved answers Expired, never Approved: only the
    /// one check that consumed the code may say Approved, and to anyone else the code is simply no longer good.
    /// Expired (rather than a new status, or not found) is what a client already handles for a dead code.
    /// </summary>
    private async Task<CheckResult?> RefuseCheckAsync(
        PortalDbContext db, Guid id, ChallengeBinding binding, DateTimeOffset now, int maxChecks, CancellationToken cancellationToken)
    {
        var row = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }
        var attemptsLeft = Math.Max(0, maxChecks - row.Checks);
        var status = Effective(row, now, maxChecks);
        var alreadyUsed = status == ChallengeStatus.Approved;
        if (alreadyUsed)
        {
            status = ChallengeStatus.Expired;
        }
        else if (row.Status == ChallengeStatus.Pending && status != ChallengeStatus.Pending)
        {
            // Record what the clock or the counter already decided, so admins and later reads see it.
            await Owned(db, id, binding)
                .Where(c => c.Status == ChallengeStatus.Pending && (c.ExpiresAt <= now || c.Checks >= maxChecks))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, status), cancellationToken);
        }
        await AuditAsync(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure, binding,
            $"id={id}; refused: {(alreadyUsed ? "already used" : status.ToString())}", cancellationToken);
        return new CheckResult(status, attemptsLeft, alreadyUsed);
    }

    private static ResendResult? RefuseResend(OtpChallenge row, DateTimeOffset now, OtpPolicy policy)
    {
        var status = Effective(row, now, policy.MaxChecks);
        if (status != ChallengeStatus.Pending)
        {
            return new ResendResult(ResendOutcome.Closed, status);
        }
        if (row.Sends >= policy.MaxSends)
        {
            return new ResendResult(ResendOutcome.SendLimitReached, status);
        }
        var wait = row.LastSentAt is { } sent ? sent + policy.ResendCooldown - now : TimeSpan.Zero;
        return wait > TimeSpan.Zero
            ? new ResendResult(ResendOutcome.Cooldown, status, RetryAfterSeconds: (int)Math.Ceiling(wait.TotalSeconds))
            : null;
    }

    /// <summary>The status a reader should see: a pending row past its expiry or out of checks is already closed.</summary>
    private static ChallengeStatus Effective(OtpChallenge row, DateTimeOffset now, int maxChecks) => row.Status switch
    {
        ChallengeStatus.Pending when row.ExpiresAt <= now => ChallengeStatus.Expired,
        ChallengeStatus.Pending when row.Checks >= maxChecks => ChallengeStatus.MaxAttemptsReached,
        _ => row.Status,
    };

    private static IQueryable<OtpChallenge> Owned(PortalDbContext db, Guid id, ChallengeBinding binding) =>
        db.OtpChallenges.Where(c => c.Id == id && c.UserId == binding.UserId && c.ClientId == binding.ClientId);

    private static MessageDraft Draft(
        Channel kind, string recipient, (string Subject, string Text) content, Guid challengeId, string purpose, string masked,
        MessageRoute? fallback) => new(
        kind, recipient, content.Subject,
        kind == Channel.Email ? $"<p>{WebUtility.HtmlEncode(content.Text)}</p>" : null,
        content.Text, $"challenge:{challengeId:N}", fallback, purpose, masked);

    private static MessageRoute EmailRoute(string address, (string Subject, string Text) content) =>
        new(Channel.Email, address, content.Subject, $"<p>{WebUtility.HtmlEncode(content.Text)}</p>", content.Text);

    private async Task EnforceLimitsAsync(
        Channel channel, string destination, string? region, ChallengeBinding binding, string? clientIp, CancellationToken cancellationToken)
    {
        var decision = await limiter.CheckAsync(new SendAttempt(channel, destination, region, binding.UserId, binding.ClientId, clientIp), cancellationToken);
        if (!decision.Allowed)
        {
            // Precise here, vague to the caller: the rule goes to the audit log, the destination never does.
            await AuditAsync(AuditEventTypes.ChallengeCreated, AuditOutcome.Failure, binding,
                $"refused by limit: {decision.Rule}; channel={channel}; region={region}", cancellationToken);
            throw new SendRefusedException(decision);
        }
    }

    private Task AuditAsync(string type, AuditOutcome outcome, ChallengeBinding binding, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(type, outcome, binding.UserId ?? binding.ClientId, binding.UserId, Detail: detail), cancellationToken);
}
