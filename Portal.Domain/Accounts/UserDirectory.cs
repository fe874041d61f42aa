using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;

namespace Tessera.Domain.Accounts;

public sealed record UserSummary(string Id, string Email, bool EmailConfirmed, bool IsAdmin, bool IsLockedOut, DateTimeOffset CreatedAt);

/// <summary>What the admin console needs of accounts: a list, and granting or revoking the Admin role (audited).</summary>
public sealed class UserDirectory(UserManager<ApplicationUser> users, AuditLog audit, TimeProvider time)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(int skip, int take, CancellationToken cancellationToken = default)
    {
        var admins = (await users.GetUsersInRoleAsync(Roles.Admin)).Select(u => u.Id).ToHashSet();
        var page = await users.Users.AsNoTracking()
            .OrderBy(u => u.Email)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return page.Select(u => new UserSummary(
            u.Id, u.Email ?? u.UserName ?? u.Id, u.EmailConfirmed, admins.Contains(u.Id),
            u.LockoutEnd is { } end && end > now, u.CreatedAt)).ToList();
    }

    /// <summary>The id of the user with this email address or id, or null when there is none.</summary>
    public async Task<string?> FindIdAsync(string emailOrId)
    {
        var user = emailOrId.Contains('@') ? await users.FindByEmailAsync(emailOrId) : null;
        user ??= await users.FindByIdAsync(emailOrId);
        return user?.Id;
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => users.Users.CountAsync(cancellationToken);

    /// <summary>Grants or revokes Admin; refuses to remove the last admin, which would lock everyone out of the console.</summary>
    public async Task<IdentityResult> SetAdminAsync(string userId, bool admin, string actorId, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return IdentityResult.Failed(new IdentityError { Code = "UnknownUser", Description = "That user no longer exists." });
        }
        if (admin == await users.IsInRoleAsync(user, Roles.Admin))
        {
            return IdentityResult.Success;
        }
        if (!admin && (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1)
        {
            return IdentityResult.Failed(new IdentityError { Code = "LastAdmin", Description = "The last admin cannot be removed." });
        }

        var result = admin ? await users.AddToRoleAsync(user, Roles.Admin) : await users.RemoveFromRoleAsync(user, Roles.Admin);
        if (result.Succeeded)
        {
            // A new security stamp makes the user's open sessions pick up the role change at their next check.
            await users.UpdateSecurityStampAsync(user);
            await audit.RecordAsync(new AuditEntry(
                admin ? AuditEventTypes.RoleGranted : AuditEventTypes.RoleRevoked, AuditOutcome.Success,
                actorId, user.Id, Detail: $"role={Roles.Admin}"), cancellationToken);
        }
        return result;
    }
}
