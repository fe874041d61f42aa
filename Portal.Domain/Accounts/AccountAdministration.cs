using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;

namespace Tessera.Domain.Accounts;

public sealed record UserSummary(string Id, string Email, bool EmailConfirmed, bool IsLockedOut, bool IsAdmin, DateTimeOffset CreatedAt);

public sealed record UserPage(IReadOnlyList<UserSummary> Items, int TotalCount);

/// <summary>What an admin sees of one account; its factors are the Factors module's (<c>FactorLifecycle.ListAsync</c>).</summary>
public sealed record UserDetail(
    string Id,
    string Email,
    bool EmailConfirmed,
    bool IsAdmin,
    DateTimeOffset CreatedAt,
    bool LockoutEnabled,
    DateTimeOffset? LockoutEnd,
    bool IsLockedOut,
    int AccessFailedCount);

/// <summary>
/// The admin console's view of and actions on accounts: search, detail, lock, unlock, revoke sessions. Every action
/// is audited with the admin as actor and the account as subject. Factors, and their reset, are the Factors module's.
/// </summary>
public sealed class AccountAdministration(
    UserManager<ApplicationUser> users,
    AuditLog audit,
    TimeProvider time,
    UserSessions sessions,
    SecurityNotices notices,
    FailedAttempts attempts)
{
    /// <summary>A page of users whose email contains <paramref name="email"/> (any case), ordered by email.</summary>
    public async Task<UserPage> SearchAsync(string? email, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = users.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(email))
        {
            // NormalizedEmail is upper-cased by Identity's normalizer: the same normalizer makes the match case-insensitive
            // on every provider, and it can use the column that Identity already indexes.
            var term = users.NormalizeEmail(email.Trim());
            query = query.Where(u => u.NormalizedEmail != null && u.NormalizedEmail.Contains(term));
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(u => u.NormalizedEmail).ThenBy(u => u.Id)
            .Skip(Math.Max(0, page) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);

        var admins = (await users.GetUsersInRoleAsync(Roles.Admin)).Select(u => u.Id).ToHashSet();
        var now = time.GetUtcNow();
        var items = rows.Select(u => new UserSummary(
            u.Id, u.Email ?? u.UserName ?? u.Id, u.EmailConfirmed, IsLockedOut(u, now), admins.Contains(u.Id), u.CreatedAt)).ToList();
        return new UserPage(items, total);
    }

    public async Task<UserDetail?> DetailAsync(string userId, CancellationToken cancellationToken = default)
    {
        var user = await users.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }
        return new UserDetail(
            user.Id, user.Email ?? user.UserName ?? user.Id, user.EmailConfirmed, await users.IsInRoleAsync(user, Roles.Admin),
            user.CreatedAt, user.LockoutEnabled, user.LockoutEnd, IsLockedOut(user, time.GetUtcNow()), user.AccessFailedCount);
    }

    /// <summary>Locks the account until an admin unlocks it, and ends its sessions.</summary>
    public async Task<IdentityResult> LockAsync(string userId, string actorId, StepUpProof? actorProof, CancellationToken cancellationToken = default)
    {
        if (actorProof is null || !await actorProof.SpendAsync(actorId, StepUpPurposes.LockAccount, cancellationToken))
        {
            return Failed("StepUpRequired", "Confirm it is you before locking an account.");
        }
        if (userId == actorId)
        {
            return Failed("SelfLock", "You cannot lock your own account.");
        }
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return UnknownUser();
        }
        // Identity ignores LockoutEnd while lockout is disabled for the user, so it is enabled first.
        var result = await users.SetLockoutEnabledAsync(user, true);
        if (result.Succeeded)
        {
            // No end date exists for "until unlocked"; the largest value stands for it and survives both providers.
            result = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        }
        if (result.Succeeded)
        {
            // Signed-in sessions do not look at LockoutEnd; a new stamp makes them fail their next validation.
            result = await users.UpdateSecurityStampAsync(user);
        }
        var ended = result.Succeeded ? await sessions.RevokeAllAsync(userId, cancellationToken) : 0;
        if (result.Succeeded)
        {
            await notices.LockedByAdministratorAsync(userId, cancellationToken);
        }
        return await AuditedAsync(result, AuditEventTypes.UserLocked, actorId, userId, $"sessions={ended}", cancellationToken);
    }

    /// <summary>Lifts any lockout, an admin's or one from failed attempts, and restores the failure budget.</summary>
    public async Task<IdentityResult> UnlockAsync(string userId, string actorId, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return UnknownUser();
        }
        var result = await users.SetLockoutEndDateAsync(user, null);
        if (result.Succeeded)
        {
            result = await users.ResetAccessFailedCountAsync(user);
        }
        if (result.Succeeded)
        {
            // Every network's lockout ends with the administrator's unlock.
            await attempts.ClearAsync(userId, cancellationToken);
        }
        return await AuditedAsync(result, AuditEventTypes.UserUnlocked, actorId, userId, null, cancellationToken);
    }


    /// <summary>
    /// Ends every session of the user (checked on each request, so at once on every node) and rotates the security
    /// stamp, which also forgets "remember this browser".
    /// </summary>
    public async Task<IdentityResult> RevokeSessionsAsync(string userId, string actorId, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return UnknownUser();
        }
        var result = await users.UpdateSecurityStampAsync(user);
        var ended = result.Succeeded ? await sessions.RevokeAllAsync(userId, cancellationToken) : 0;
        await AuditedAsync(result, AuditEventTypes.SessionsRevoked, actorId, userId, $"sessions={ended}", cancellationToken);
        if (result.Succeeded)
        {
            // The owner learns of it: if they did not ask an administrator, "This wasn't me" takes the account back.
            await notices.SignedOutByAdministratorAsync(userId, ended, cancellationToken);
        }
        return result;
    }

    private static bool IsLockedOut(ApplicationUser user, DateTimeOffset now) =>
        user.LockoutEnabled && user.LockoutEnd is { } end && end > now;

    private async Task<IdentityResult> AuditedAsync(IdentityResult result, string type, string actorId, string userId, string? detail, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditEntry(type, result.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure, actorId, userId,
            Detail: result.Succeeded ? detail : string.Join("; ", result.Errors.Select(e => e.Code))), cancellationToken);
        return result;
    }

    private static IdentityResult UnknownUser() => Failed("UnknownUser", "That user no longer exists.");

    private static IdentityResult Failed(string code, string description) =>
        IdentityResult.Failed(new IdentityError { Code = code, Description = description });
}
