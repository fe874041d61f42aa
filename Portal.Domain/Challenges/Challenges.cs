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
/// the audit log or the application log. A send (limiter counts, challenge, message, audit event) and a check (its
/// conditional update and audit event) are each one unit of work on <see cref="WriteBatcher"/>: one transaction,
/// shared with the concurrent ones on SQLite, so an action never commits without its event.
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
    ChallengeTexts texts,
    WriteBatcher? batcher = null)
{
    public const string CodeSecretName = "challenges.code-mac";
    public const string DestinationSecretName = "challenges.destination";

    private readonly WriteBatcher writes = batcher ?? new WriteBatcher(dbFactory, Microsoft.Extensions.Logging.Abstractions.NullLogger<WriteBatcher>.Instance);

    // Never equal to a stored hash (32 bytes): what a check compares when its key version was retired.
    private static readonly byte[] NoHash = [];

    private Task<InstallSecret> CodeKeyAsync() => secrets.CurrentAsync(CodeSecretName, 32);

    /// <exception cref="SendRefusedException">An abuse limit refused the send; nothing was stored or sent.</exception>
    public async Task<ChallengeCreated> CreateAsync(ChallengeRequest request, CancellationToken cancellationToken = default)
    {
        var kind = request.Channel;
        var policy = (await policies.CurrentAsync(cancellationToken)).Otp;
        var destination = ChallengeCodes.CountedDestination(request.Channel, request.Destination);
        var destinationHash = ChallengeCodes.DestinationHash(await secrets.CurrentAsync(DestinationSecretName, 32, cancellationToken), destination);
        var limits = await limiter.PrepareAsync(
            new SendAttempt(kind, destination, request.Region, request.Binding.UserId, request.Binding.ClientId, request.ClientIp), cancellationToken);
        var codeKey = await CodeKeyAsync();
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var code = ChallengeCodes.Generate(policy.CodeLength);
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
            ExpiresAt = now + policy.Lifetime,
            Sends = 1,
            LastSentAt = now,
            CreatedAt = now,
        };
        var event_ = await PrepareAuditAsync(request.Binding, cancellationToken);

        // One transaction: the limiter's counts, the challenge, the message that carries its code and the audit event.
        var (decision, messageId) = await writes.RunAsync(async db =>
        {
            var decision = await limits.CountAsync(db);
            if (!decision.Allowed)
            {
                // Precise here, vague to the caller: the rule goes to the audit log, the destination never does.
                db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeCreated, AuditOutcome.Failure,
                    $"refused by limit: {decision.Rule}; channel={kind}; region={request.Region}"));
                return (decision, Guid.Empty);
            }
            // Composed only once the send is allowed: a refused send never has its code in any text.
            var fallback = kind == Channel.Sms && request.FallbackEmail is { } email
                ? EmailRoute(email, texts.For(request.Purpose, Channel.Email)(code))
                : null;
            var messageId = messages.Stage(db, Draft(kind, request.Destination, request.Compose(code), id, request.Purpose, request.MaskedDestination, fallback));
            challenge.MessageId = messageId;
            db.OtpChallenges.Add(challenge);
            db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeCreated, AuditOutcome.Success,
                $"id={id}; purpose={request.Purpose}; channel={request.Channel}; message={messageId}"));
            return (decision, messageId);
        }, cancellationToken);
        audit.Committed();
        if (!decision.Allowed)
        {
            throw new SendRefusedException(decision);
        }
        trigger.Queued(messageId);
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
        OtpChallenge? read;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            read = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        }
        if (read is null)
        {
            return null;
        }
        var event_ = await PrepareAuditAsync(binding, cancellationToken);
        if (Effective(read, now, maxChecks) != ChallengeStatus.Pending)
        {
            // A closed challenge is answered from what was read: no counting update, only its refusal is recorded.
            var refused = await writes.RunAsync(db => RefuseCheckAsync(db, id, binding, now, maxChecks, event_), cancellationToken);
            audit.Committed();
            return refused;
        }

        // Under the key version the code was made with: a rotation while the code is live changes nothing for it.
        var key = await secrets.VersionAsync(CodeSecretName, 32, read.CodeKeyVersion, cancellationToken);
        var presented = key is null ? NoHash : ChallengeCodes.Mac(key.Key, id, ChallengeCodes.Normalize(code));
        var result = await writes.RunAsync(async db =>
        {
            // One conditional update counts the check and, when the code matches the hash stored now, approves: a guess
            // is always counted, of all matching checks only one finds the row pending, and a code that a resend
            // replaced meanwhile matches nothing. The hashes are compared by the database: they are MACs of the code,
            // and learning one byte of a MAC through timing reveals nothing about the code.
            var counted = await Owned(db, id, binding)
                .Where(c => c.Status == ChallengeStatus.Pending && c.Checks < maxChecks && c.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Checks, c => c.Checks + 1)
                    .SetProperty(c => c.Status, c => c.CodeHash == presented
                        ? ChallengeStatus.Approved
                        : c.Checks + 1 >= maxChecks ? ChallengeStatus.MaxAttemptsReached : c.Status)
                    .SetProperty(c => c.ApprovedAt, c => c.CodeHash == presented ? now : c.ApprovedAt));
            if (counted == 0)
            {
                return await RefuseCheckAsync(db, id, binding, now, maxChecks, event_);
            }
            var after = await Owned(db, id, binding).Select(c => new { c.Status, c.Checks }).SingleAsync();
            var attemptsLeft = Math.Max(0, maxChecks - after.Checks);
            if (after.Status == ChallengeStatus.Approved)
            {
                db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeChecked, AuditOutcome.Success, $"id={id}; approved"));
                return new CheckResult(ChallengeStatus.Approved, attemptsLeft);
            }
            db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure, $"id={id}; wrong code; attempts left={attemptsLeft}"));
            return new CheckResult(after.Status, attemptsLeft);
        }, cancellationToken);
        audit.Committed();
        return result;
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
        OtpChallenge? row;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            row = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        }
        if (row is null)
        {
            return null;
        }
        var event_ = await PrepareAuditAsync(binding, cancellationToken);
        if (RefuseResend(row, now, policy) is { } refused)
        {
            await StageAloneAsync(event_.With(AuditEventTypes.ChallengeResent, AuditOutcome.Failure, $"id={id}; {refused.Outcome}"), cancellationToken);
            return refused;
        }

        // The destination is kept only as a hash here; Delivery's record of the current message says where it went.
        var recipient = await messages.GetRecipientAsync(row.MessageId ?? Guid.Empty, cancellationToken)
            ?? throw new InvalidOperationException($"Challenge {id} has no message to resend to.");
        var limits = await limiter.PrepareAsync(new SendAttempt(
            row.Channel, ChallengeCodes.CountedDestination(row.Channel, recipient), row.Region, binding.UserId, binding.ClientId, clientIp), cancellationToken);
        var fallbackEmail = await messages.GetFallbackRecipientAsync(row.MessageId ?? Guid.Empty, Channel.Email, cancellationToken);
        var code = ChallengeCodes.Generate(policy.CodeLength);
        var codeKey = await CodeKeyAsync();
        var hash = ChallengeCodes.Mac(codeKey.Key, id, code);
        var kind = row.Channel;
        var expiresAt = now + policy.Lifetime;
        var cooldownEnd = now - policy.ResendCooldown;
        var maxChecks = policy.MaxChecks;

        // One transaction: the limiter's counts, the new code, its message and the audit event.
        var (result, decision) = await writes.RunAsync(async db =>
        {
            var decision = await limits.CountAsync(db);
            if (!decision.Allowed)
            {
                db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeCreated, AuditOutcome.Failure,
                    $"refused by limit: {decision.Rule}; channel={kind}; region={row.Region}"));
                return ((ResendResult?)null, decision);
            }
            var transaction = db.Database.CurrentTransaction!;
            await transaction.CreateSavepointAsync("resend");
            // The fallback carries the new code too: the old one is dead once this resend wins.
            var fallback = kind == Channel.Sms && fallbackEmail is not null
                ? EmailRoute(fallbackEmail, texts.For(row.Purpose, Channel.Email)(code))
                : null;
            // Staged first so the conditional update can point the challenge at it; saved only if that update wins.
            var messageId = messages.Stage(db, Draft(kind, recipient, compose(code), id, row.Purpose, row.MaskedDestination, fallback));
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
                    .SetProperty(c => c.MessageId, (Guid?)messageId));
            if (replaced == 0)
            {
                // Lost to a concurrent resend or check: nothing of this attempt stays, not even its counts.
                await transaction.RollbackToSavepointAsync("resend");
                db.ChangeTracker.Clear();
                var current = await Owned(db, id, binding).AsNoTracking().SingleAsync();
                return (RefuseResend(current, now, policy)
                    ?? new ResendResult(ResendOutcome.Cooldown, ChallengeStatus.Pending, RetryAfterSeconds: (int)Math.Ceiling(policy.ResendCooldown.TotalSeconds)),
                    decision);
            }
            db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeResent, AuditOutcome.Success, $"id={id}; send={row.Sends + 1}; message={messageId}"));
            return (new ResendResult(ResendOutcome.Sent, ChallengeStatus.Pending, messageId, expiresAt), decision);
        }, cancellationToken);
        audit.Committed();
        if (!decision.Allowed)
        {
            throw new SendRefusedException(decision);
        }
        if (result!.Outcome == ResendOutcome.Sent)
        {
            trigger.Queued(result.MessageId!.Value);
        }
        return result;
    }

    /// <summary>Cancels a challenge that can still be answered; false when it cannot (or is not the binding's).</summary>
    public async Task<bool> CancelAsync(Guid id, ChallengeBinding binding, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var event_ = await PrepareAuditAsync(binding, cancellationToken);
        var canceled = await writes.RunAsync(async db =>
        {
            var canceled = await Owned(db, id, binding)
                .Where(c => c.Status == ChallengeStatus.Pending && c.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChallengeStatus.Canceled)) == 1;
            if (canceled)
            {
                db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeCanceled, AuditOutcome.Success, $"id={id}"));
            }
            return canceled;
        }, cancellationToken);
        audit.Committed();
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
    private static async Task<CheckResult?> RefuseCheckAsync(
        PortalDbContext db, Guid id, ChallengeBinding binding, DateTimeOffset now, int maxChecks, AuditStagedEvent event_)
    {
        var row = await Owned(db, id, binding).AsNoTracking().SingleOrDefaultAsync();
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
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, status));
        }
        db.AuditStaged.Add(event_.With(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure,
            $"id={id}; refused: {(alreadyUsed ? "already used" : status.ToString())}"));
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

    /// <summary>The event every unit of work here records, about the binding's user or client; its type and detail come later.</summary>
    private Task<AuditStagedEvent> PrepareAuditAsync(ChallengeBinding binding, CancellationToken cancellationToken) =>
        audit.PrepareAsync(new AuditEntry(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure, binding.UserId ?? binding.ClientId, binding.UserId),
            cancellationToken);

    /// <summary>An event with no action to commit with (a refusal decided from a read).</summary>
    private async Task StageAloneAsync(AuditStagedEvent staged, CancellationToken cancellationToken)
    {
        await writes.RunAsync(db =>
        {
            db.AuditStaged.Add(staged);
            return Task.FromResult(true);
        }, cancellationToken);
        audit.Committed();
    }
}
