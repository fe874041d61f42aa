using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Privacy;

public enum ErasureOutcome
{
    Deleted,
    StepUpRequired,
    EmailMismatch,
    NoSuchUser,
    LastAdmin,
}

public sealed record ErasureResult(ErasureOutcome Outcome, string Message)
{
    public bool Succeeded => Outcome == ErasureOutcome.Deleted;
}

/// <summary>
/// Forgets a person: every session ends, and the account, its sign-in methods, phones, sessions, pending codes and their
/// messages, limiter rows and QR approvals are deleted in one transaction; the audit log keeps their events but the
/// secret behind their pseudonym is shredded, so the chain still verifies and names nobody. A last email goes to the
/// address the account had. Asked by the person (their own step-up) or an administrator (the admin's step-up), with
/// the account's email typed to confirm.
/// </summary>
public sealed class AccountErasure(
    IDbContextFactory<PortalDbContext> dbFactory,
    UserSessions sessions,
    SecurityNotices notices,
    AuditLog audit,
    AuditPseudonyms pseudonyms)
{
    /// <param name="actorId">The person themselves, or the administrator who deletes the account.</param>
    /// <param name="typedEmail">What the asker typed to confirm: it must be the account's address (any case).</param>
    public async Task<ErasureResult> EraseAsync(
        string userId, string actorId, StepUpProof? actorProof, string? typedEmail, CancellationToken cancellationToken = default)
    {
        if (actorProof is null || !await actorProof.SpendAsync(actorId, StepUpPurposes.DeleteAccount, cancellationToken))
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountDeleted, AuditOutcome.Failure, actorId, userId, Detail: "no valid step-up proof"), cancellationToken);
            return new ErasureResult(ErasureOutcome.StepUpRequired, "Confirm it is you before deleting an account.");
        }
        string email;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user?.Email is null)
            {
                return new ErasureResult(ErasureOutcome.NoSuchUser, "That account no longer exists.");
            }
            email = user.Email;
            if (!string.Equals(typedEmail?.Trim(), email, StringComparison.OrdinalIgnoreCase))
            {
                await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountDeleted, AuditOutcome.Failure, actorId, userId, Detail: "typed address did not match"), cancellationToken);
                return new ErasureResult(ErasureOutcome.EmailMismatch, "The address you typed is not this account's. Type it exactly to confirm.");
            }
            if (await IsLastAdminAsync(db, userId, cancellationToken))
            {
                await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountDeleted, AuditOutcome.Failure, actorId, userId, Detail: "last admin"), cancellationToken);
                return new ErasureResult(ErasureOutcome.LastAdmin, "This is the only administrator: grant Admin to someone else first, or nobody could run Tessera.");
            }
        }

        // Every signed-in browser is refused from its next request, before anything else goes.
        await sessions.EndEverythingAsync(userId, cancellationToken);
        // Recorded and emailed while the pseudonym still maps to the person; after the shred below it maps to nobody.
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountDeleted, AuditOutcome.Success, actorId, userId,
            Detail: actorId == userId ? "by the account holder" : "by an administrator"), cancellationToken);
        await notices.AccountDeletedAsync(userId, email, byAdministrator: actorId != userId, cancellationToken);

        await DeleteRowsAsync(userId, cancellationToken);
        await pseudonyms.ShredAsync(userId, cancellationToken);
        return new ErasureResult(ErasureOutcome.Deleted, "The account was deleted.");
    }

    private static async Task<bool> IsLastAdminAsync(PortalDbContext db, string userId, CancellationToken cancellationToken)
    {
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleOrDefaultAsync(cancellationToken);
        if (adminRole is null || !await db.UserRoles.AnyAsync(r => r.UserId == userId && r.RoleId == adminRole, cancellationToken))
        {
            return false;
        }
        return !await db.UserRoles.AnyAsync(r => r.RoleId == adminRole && r.UserId != userId, cancellationToken);
    }

    /// <summary>One transaction: a crash deletes all of it or nothing, and running it again finishes the job.</summary>
    private async Task DeleteRowsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.TotpAuthenticators.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.PasskeyCredentials.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.WebAuthnChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.UserPhones.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.FailureBudgets.Where(b => b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.QrSignInSessions.Where(q => q.ApproverUserId == userId).ExecuteDeleteAsync(cancellationToken);
            // The person's codes, with the messages that carried them (recipients, bodies) and their attempts.
            var messages = db.OtpChallenges.Where(c => c.UserId == userId && c.MessageId != null).Select(c => c.MessageId!.Value);
            await db.DeliveryAttempts.Where(a => messages.Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
            await db.OutboundMessages.Where(m => messages.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await db.OtpChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            // What administrators did stays, without naming them.
            await db.PolicyDocuments.Where(p => p.UpdatedById == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedById, (string?)null).SetProperty(p => p.UpdatedByName, "a deleted account"), cancellationToken);
            await db.ApiClients.Where(c => c.CreatedBy == userId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CreatedBy, (string?)null), cancellationToken);
            await db.AllowedPasskeyModels.Where(m => m.AddedBy == userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.AddedBy, (string?)null), cancellationToken);
            await db.UserRoles.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.UserClaims.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.UserLogins.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.UserTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        if (db.Database.IsSqlite())
        {
            // secure_delete zeroes what was deleted in the database file; the write-ahead log still holds the pages as they
            // were until it is checkpointed and truncated. Best effort: a reader holding an old snapshot keeps its frames.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
        }
    }
}
