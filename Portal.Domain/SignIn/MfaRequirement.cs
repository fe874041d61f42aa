using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;

namespace Tessera.Domain.SignIn;

/// <summary>Whether a user must have a second factor, whether they have one, and by when they must add it.</summary>
public sealed record MfaStatus(bool Required, bool HasFactor, DateTimeOffset? Deadline, bool Overdue)
{
    public static readonly MfaStatus NotRequired = new(false, true, null, false);

    /// <summary>Inside the grace period: every page shows the deadline.</summary>
    public bool Owed => Required && !HasFactor;

    /// <summary>Past the deadline: sign-in leads to enrolment and every other page redirects there.</summary>
    public bool MustEnrollNow => Owed && Overdue;
}

/// <summary>
/// The MFA policy (<c>Policies:Mfa</c>): members of <see cref="MfaPolicy.RequiredForRoles"/> must add a second factor
/// within <see cref="MfaPolicy.GraceDays"/> of the later of their account's creation and their last role grant.
/// </summary>
public sealed class MfaRequirement(IDbContextFactory<PortalDbContext> dbFactory, IPolicies policies, FactorLifecycle factors, AuditLog audit, TimeProvider time)
{
    /// <summary>Where a user who owes a second factor is sent.</summary>
    public const string EnrolmentPath = "/security/passkeys";

    /// <summary>Pages such a user may still open: enrolment, signing in and out.</summary>
    public static readonly IReadOnlyList<string> AllowedPaths = [EnrolmentPath, "/security/authenticators", "/Account"];

    public async Task<MfaStatus> StatusAsync(string userId, IEnumerable<string> roles, CancellationToken cancellationToken = default)
    {
        var policy = (await policies.CurrentAsync(cancellationToken)).Mfa;
        if (!roles.Any(policy.RequiredForRoles.Contains))
        {
            return MfaStatus.NotRequired;
        }
        if (await factors.HasSecondFactorAsync(userId, cancellationToken))
        {
            return new MfaStatus(true, true, null, false);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var created = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.CreatedAt).SingleOrDefaultAsync(cancellationToken);
        var granted = await audit.LatestAsync(userId, AuditEventTypes.RoleGranted, cancellationToken);
        var start = granted is { } at && at > created ? at : created;
        var deadline = start + TimeSpan.FromDays(policy.GraceDays);
        return new MfaStatus(true, false, deadline, time.GetUtcNow() >= deadline);
    }


    public static bool IsAllowed(string path) =>
        AllowedPaths.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
