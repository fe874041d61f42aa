using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Retention;

public sealed record RetentionReport(int Challenges, int Messages, int Attempts, int QrSessions, int SendCounters, int FailureBudgets = 0, int PushApprovals = 0)
{
    public int Total => Challenges + Messages + Attempts + QrSessions + SendCounters + FailureBudgets + PushApprovals;

    public override string ToString() =>
        $"challenges={Challenges}; messages={Messages}; attempts={Attempts}; qr_sessions={QrSessions}; send_counters={SendCounters}; failure_budgets={FailureBudgets}; push_approvals={PushApprovals}";
}

/// <summary>
/// Deletes finished rows that hold personal data (masked recipients, destination hashes, encrypted addresses, address
/// pseudonyms) once their <see cref="RetentionOptions"/> period is over, in batches, daily. A message that is still
/// pending or sending is never deleted, whatever its age: nothing queued is lost. Safe to run again after a crash.
/// </summary>
public sealed class DataRetention(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<RetentionOptions> options, AuditLog audit)
{
    public const int DefaultBatchSize = 1_000;

    private static readonly MessageStatus[] Finished = [MessageStatus.Sent, MessageStatus.Failed];

    public async Task<RetentionReport> ApplyAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var (challenges, challengeMessages, challengeAttempts) = await PurgeChallengesAsync(now.AddDays(-settings.ChallengeDays), batchSize, cancellationToken);
        var (messages, messageAttempts) = await PurgeMessagesAsync(now.AddDays(-settings.MessageDays), batchSize, cancellationToken);
        var report = new RetentionReport(
            challenges,
            challengeMessages + messages,
            challengeAttempts + messageAttempts,
            await PurgeQrSessionsAsync(now.AddDays(-settings.QrSessionDays), cancellationToken),
            await PurgeSendCountersAsync(now, cancellationToken),
            await PurgeFailureBudgetsAsync(now, cancellationToken),
            await PurgePushApprovalsAsync(now.AddDays(-settings.PushApprovalDays), cancellationToken));
        if (report.Total > 0)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.DataRetentionApplied, AuditOutcome.Success, Detail: report.ToString()), cancellationToken);
        }
        return report;
    }

    /// <summary>Challenges closed before the cutoff, and the finished messages (with attempts) that carried their codes.</summary>
    private async Task<(int Challenges, int Messages, int Attempts)> PurgeChallengesAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var (challenges, messages, attempts) = (0, 0, 0);
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = await db.OtpChallenges.Where(c => c.ExpiresAt < cutoff)
                .OrderBy(c => c.ExpiresAt).Select(c => c.Id).Take(batchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                return (challenges, messages, attempts);
            }
            var references = ids.Select(id => $"challenge:{id:N}").ToList();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var finished = db.OutboundMessages.Where(m => m.Reference != null && references.Contains(m.Reference) && Finished.Contains(m.Status));
            attempts += await db.DeliveryAttempts.Where(a => finished.Select(m => m.Id).Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
            messages += await finished.ExecuteDeleteAsync(cancellationToken);
            challenges += await db.OtpChallenges.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>Messages that belong to no challenge (account emails), finished before the cutoff.</summary>
    private async Task<(int Messages, int Attempts)> PurgeMessagesAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var (messages, attempts) = (0, 0);
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = await db.OutboundMessages
                .Where(m => Finished.Contains(m.Status) && (m.Reference == null || !m.Reference.StartsWith("challenge:"))
                            && (m.SentAt ?? m.LastAttemptAt ?? m.CreatedAt) < cutoff)
                .OrderBy(m => m.CreatedAt).Select(m => m.Id).Take(batchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                return (messages, attempts);
            }
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            attempts += await db.DeliveryAttempts.Where(a => ids.Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
            messages += await db.OutboundMessages.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private async Task<int> PurgeQrSessionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.QrSignInSessions.Where(s => s.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// A failure budget (the wrong guesses at one account from one network) that is not locked and saw no failure for
    /// a day: the account-wide daily ceiling has moved on too, so it counts nothing any more. A row from before the
    /// last failure was kept has no time and goes once it is not locked.
    /// </summary>
    private async Task<int> PurgeFailureBudgetsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var quiet = now - Accounts.FailureLimits.DayLockout;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.FailureBudgets
            .Where(b => (b.LockedUntil == null || b.LockedUntil < now) && (b.LastFailureAt == null || b.LastFailureAt < quiet))
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A push approval's requester pseudonym and place go with it; its pushed messages follow the message rule.</summary>
    private async Task<int> PurgePushApprovalsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushApprovals.Where(a => a.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A send counter is needed only until its window ends.</summary>
    private async Task<int> PurgeSendCountersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SendCounters.Where(c => c.WindowEnd < now).ExecuteDeleteAsync(cancellationToken);
    }
}
