using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Audit;

namespace Tessera.Domain.Accounts;

/// <summary>Finding a user by email or id, and granting or revoking the Admin role (audited).</summary>
public sealed class UserDirectory(UserManager<ApplicationUser> users, AuditLog audit, SecurityNotices notices)
{
    /// <summary>The id of the user with this email address or id, or null when there is none.</summary>
    public async Task<string?> FindIdAsync(string emailOrId)
    {
        var user = emailOrId.Contains('@') ? await users.FindByEmailAsync(emailOrId) : null;
        user ??= await users.FindByIdAsync(emailOrId);
        return user?.Id;
    }

    /// <summary>The email address of each of these users that still exists, for showing people instead of ids.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EmailsAsync(IEnumerable<string?> userIds, CancellationToken cancellationToken = default)
    {
        var ids = userIds.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<string, string>();
        }
        return await users.Users.Where(u => ids.Contains(u.Id) && u.Email != null)
            .ToDictionaryAsync(u => u.Id, u => u.Email!, cancellationToken);
    }

    /// <summary>
    /// Grants or revokes Admin; refuses to remove the last admin, which would lock everyone out of the console, and
    /// refuses an admin's own demotion, which they could not undo.
    /// </summary>
    /// <param name="actorProof">
    /// The acting admin's step-up proof for granting or for removing the role: a hijacked admin session must be able to
    /// neither make a new admin nor strip the real ones.
    /// </param>
    public async Task<IdentityResult> SetAdminAsync(string userId, bool admin, string actorId, StepUpProof? actorProof, CancellationToken cancellationToken = default)
    {
        if (!admin && userId == actorId)
        {
            return IdentityResult.Failed(new IdentityError { Code = "SelfDemotion", Description = "You cannot remove your own Admin role; ask another admin." });
        }
        if (actorProof is null || !await actorProof.SpendAsync(actorId, admin ? StepUpPurposes.GrantAdmin : StepUpPurposes.RemoveAdmin, cancellationToken))
        {
            return IdentityResult.Failed(new IdentityError
            {
                Code = "StepUpRequired",
                Description = admin ? "Confirm it is you before granting the Admin role." : "Confirm it is you before removing the Admin role.",
            });
        }
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
            if (admin)
            {
                // More power on an account is a security change its owner must hear of.
                await notices.AdminGrantedAsync(userId, cancellationToken);
            }
            await audit.RecordAsync(new AuditEntry(
                admin ? AuditEventTypes.RoleGranted : AuditEventTypes.RoleRevoked, AuditOutcome.Success,
                actorId, user.Id, Detail: $"role={Roles.Admin}"), cancellationToken);
        }
        return result;
    }
}
