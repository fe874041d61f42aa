using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Factors;

/// <summary>The kinds of second factor. Recovery codes are a way back in, not a factor: they never count as one.</summary>
public enum FactorKind
{
    AuthenticatorApp,
    Passkey,
    Phone,
    PushDevice,
}

/// <summary>One second factor of a user, as every list shows it (security center, admin user page).</summary>
/// <param name="Name">The user's name for it; for a phone, its masked number.</param>
/// <param name="Detail">What else tells it apart: a passkey's model and whether it is synced.</param>
public sealed record FactorSummary(FactorKind Kind, Guid Id, string Name, DateTimeOffset AddedAt, DateTimeOffset? LastUsedAt, string? Detail = null)
{
    /// <summary>The kind as a list names it: "Authenticator app", "Passkey", "Phone (text message)".</summary>
    public string KindName => NameOf(Kind);

    public static string NameOf(FactorKind kind) => kind switch
    {
        FactorKind.AuthenticatorApp => "Authenticator app",
        FactorKind.Passkey => "Passkey",
        FactorKind.PushDevice => "Push device (sign-in approvals)",
        _ => "Phone (text message)",
    };
}

/// <param name="FirstRecoveryCodes">With the user's first factor: their first recovery codes, shown once.</param>
public sealed record FactorAdded(Guid Id, IReadOnlyList<string>? FirstRecoveryCodes);

public enum FactorRemoval
{
    Removed,
    NotFound,
    /// <summary>No valid step-up proof for it: expired, spent, another user's or another purpose's.</summary>
    StepUpRequired,
    /// <summary>The user's role must have a second factor (<c>Policies:Mfa</c>) and this is their last one.</summary>
    LastFactorRequired,
}

public sealed record FactorsReset(int Authenticators, int Passkeys, int RecoveryCodes, int Phones, int PushDevices = 0);

/// <summary>
/// The one lifecycle of second factors, whatever their kind: whether one may be added (the first freely, any later one
/// with a step-up proof), what follows an addition (Identity's two-factor flag, the first recovery codes, the security
/// email, the audit event), removal (a step-up proof, never the last factor the MFA policy requires), an admin's reset,
/// and the lists and counts every page uses. The kinds' own services (<see cref="Authenticators"/>,
/// <see cref="Passkeys"/>, <see cref="Phones.UserPhones"/>) prove possession and store the factor, then report here.
/// </summary>
public sealed class FactorLifecycle(
    IDbContextFactory<PortalDbContext> dbFactory,
    RecoveryCodes recoveryCodes,
    SecurityNotices notices,
    UserSessions sessions,
    IPolicies policies,
    Challenges.Challenges challenges,
    AuthenticatorModels models,
    AuditLog audit)
{
    /// <summary>Whether a second factor is owed at sign-in, from Tessera's own tables: Identity's flag is not asked.</summary>
    public async Task<bool> HasSecondFactorAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FactorsOf(db, userId).AnyAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FactorsOf(db, userId).CountAsync(cancellationToken);
    }

    /// <summary>The user's second factors of every kind, oldest first.</summary>
    public async Task<IReadOnlyList<FactorSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var factors = await FactorsOf(db, userId).OrderBy(f => f.AddedAt).ThenBy(f => f.Id).ToListAsync(cancellationToken);
        var passkeys = await db.PasskeyCredentials.Where(c => c.UserId == userId)
            .ToDictionaryAsync(c => c.Id, c => models.NameOf(c.Aaguid) + (c.IsBackedUp ? ", synced" : ", on this device only"), cancellationToken);
        return factors
            .Select(f => new FactorSummary(f.Kind, f.Id, f.Name, f.AddedAt, f.LastUsedAt, passkeys.GetValueOrDefault(f.Id))).ToList();
    }

    /// <summary>How many second factors (of every kind) each of these users has; users without any are left out.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByUserAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await OwnersOfAny(db).Where(id => userIds.Contains(id)).GroupBy(id => id).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
    }

    /// <summary>
    /// Whether a factor may be added: the first one freely (there is nothing to re-prove with but the password the
    /// session already proved), any further one only with a step-up proof for <paramref name="purpose"/>, spent here.
    /// </summary>
    public async Task<bool> MayAddAsync(string userId, StepUpProof? proof, string purpose = StepUpPurposes.AddFactor, CancellationToken cancellationToken = default) =>
        !await HasSecondFactorAsync(userId, cancellationToken)
        || (proof is not null && await proof.SpendAsync(userId, purpose, cancellationToken));

    /// <summary>
    /// What follows a factor's addition, once its service has stored it: the audit event, Identity's two-factor flag,
    /// the security email and, with the user's first factor, their first recovery codes.
    /// </summary>
    /// <param name="detail">The kind's own audit detail (its id, model, masked number).</param>
    public async Task<FactorAdded> AddedAsync(string userId, FactorKind kind, Guid id, string name, string detail, CancellationToken cancellationToken = default)
    {
        await audit.RecordAsync(new AuditEntry(AddedEvent(kind), AuditOutcome.Success, userId, userId, Detail: detail), cancellationToken);
        var count = await RefreshFlagAsync(userId, cancellationToken);
        await notices.FactorAddedAsync(userId, Describe(kind), name, cancellationToken);
        // The first factor: without recovery codes, a lost device would lock the user out for good.
        var codes = count == 1 ? await recoveryCodes.IssueFirstAsync(userId, cancellationToken) : null;
        return new FactorAdded(id, codes);
    }

    /// <summary>
    /// Removes one factor (or a phone not verified yet), given a step-up proof of this user for it, spent here; never
    /// the last factor of a user whose role must have one.
    /// </summary>
    public async Task<FactorRemoval> RemoveAsync(string userId, FactorKind kind, Guid id, StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await FindAsync(db, userId, kind, id, cancellationToken);
        if (target is null)
        {
            return FactorRemoval.NotFound;
        }
        if (target.IsFactor && await IsLastRequiredAsync(db, userId, cancellationToken))
        {
            await RecordRemovalAsync(kind, AuditOutcome.Failure, userId, $"id={id}; last factor required by the MFA policy", cancellationToken);
            return FactorRemoval.LastFactorRequired;
        }
        if (proof is null || !await proof.SpendAsync(userId, RemovalPurpose(kind), cancellationToken))
        {
            await RecordRemovalAsync(kind, AuditOutcome.Failure, userId, $"id={id}; no valid step-up proof", cancellationToken);
            return FactorRemoval.StepUpRequired;
        }
        var removed = kind switch
        {
            FactorKind.AuthenticatorApp => await db.TotpAuthenticators.Where(a => a.Id == id && a.UserId == userId).ExecuteDeleteAsync(cancellationToken),
            FactorKind.Passkey => await db.PasskeyCredentials.Where(c => c.Id == id && c.UserId == userId).ExecuteDeleteAsync(cancellationToken),
            FactorKind.PushDevice => await db.PushDevices.Where(d => d.Id == id && d.UserId == userId).ExecuteDeleteAsync(cancellationToken),
            _ => await db.UserPhones.Where(p => p.Id == id && p.UserId == userId).ExecuteDeleteAsync(cancellationToken),
        };
        if (removed == 0)
        {
            // Removed by a concurrent request, which told the user already.
            return FactorRemoval.NotFound;
        }
        if (target.LiveChallenge is { } live)
        {
            await challenges.CancelAsync(live, ChallengeBinding.ForUser(userId), cancellationToken);
        }
        await RecordRemovalAsync(kind, AuditOutcome.Success, userId, $"id={id}" + (kind == FactorKind.Phone ? $"; number={target.Name}" : ""), cancellationToken);
        await RefreshFlagAsync(userId, cancellationToken);
        if (target.IsFactor)
        {
            await notices.FactorRemovedAsync(userId, Describe(kind), target.Name, cancellationToken);
        }
        return FactorRemoval.Removed;
    }

    /// <summary>
    /// An admin's reset, for a user who lost their factors: every authenticator, passkey, phone and recovery code goes,
    /// and the user signs in with their password alone until they enroll again. Null when there is no such user.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Without the acting admin's step-up proof for it.</exception>
    public async Task<FactorsReset?> ResetAsync(string userId, string actorId, StepUpProof? actorProof, CancellationToken cancellationToken = default)
    {
        if (actorProof is null || !await actorProof.SpendAsync(actorId, StepUpPurposes.ResetSecondFactors, cancellationToken))
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorsReset, AuditOutcome.Failure, actorId, userId, Detail: "no valid step-up proof"), cancellationToken);
            throw new UnauthorizedAccessException("Confirm it is you before resetting someone's second factors.");
        }
        FactorsReset removed;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
            {
                await audit.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorsReset, AuditOutcome.Failure, actorId, userId, Detail: "no such user"), cancellationToken);
                return null;
            }
            removed = new FactorsReset(
                await db.TotpAuthenticators.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken),
                await db.PasskeyCredentials.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken),
                await recoveryCodes.RemoveAllAsync(userId, cancellationToken),
                // A verified phone is a second factor too: left behind, it would keep the second step the user lost.
                await db.UserPhones.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken),
                await db.PushDevices.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken));
        }
        await RefreshFlagAsync(userId, cancellationToken);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SecondFactorsReset, AuditOutcome.Success, actorId, userId,
            Detail: $"authenticators={removed.Authenticators}; passkeys={removed.Passkeys}; recovery_codes={removed.RecoveryCodes}"
                + (removed.Phones > 0 ? $"; phones={removed.Phones}" : "")
                + (removed.PushDevices > 0 ? $"; push_devices={removed.PushDevices}" : "")), cancellationToken);
        await notices.SecondFactorsResetAsync(userId, cancellationToken);
        return removed;
    }

    /// <summary>
    /// A factor that stopped existing outside Tessera (a push service answered that the subscription is gone): removed
    /// without a step-up, since nothing can use it any more, and the user is told, since a sign-in way went away.
    /// </summary>
    public async Task GoneAsync(FactorKind kind, Guid id, string why, CancellationToken cancellationToken = default)
    {
        if (kind != FactorKind.PushDevice)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only a push device can disappear on its own.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await db.PushDevices.Where(d => d.Id == id).Select(d => new { d.UserId, d.Name }).SingleOrDefaultAsync(cancellationToken);
        if (target is null || await db.PushDevices.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return;
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PushDeviceGone, AuditOutcome.Success, null, target.UserId, Detail: $"id={id}; {why}"), cancellationToken);
        await RefreshFlagAsync(target.UserId, cancellationToken);
        await notices.FactorRemovedAsync(target.UserId, Describe(kind), target.Name, cancellationToken);
    }

    /// <summary>How a sentence names the kind, for the security emails: "The authenticator app".</summary>
    public static string Describe(FactorKind kind) => kind switch
    {
        FactorKind.AuthenticatorApp => "The authenticator app",
        FactorKind.Passkey => "The passkey",
        FactorKind.PushDevice => "The push device",
        _ => "The phone number",
    };

    private static string RemovalPurpose(FactorKind kind) => kind switch
    {
        FactorKind.AuthenticatorApp => StepUpPurposes.RemoveAuthenticator,
        FactorKind.Passkey => StepUpPurposes.RemovePasskey,
        FactorKind.PushDevice => StepUpPurposes.RemovePushDevice,
        _ => StepUpPurposes.ChangePhone,
    };

    private static string AddedEvent(FactorKind kind) => kind switch
    {
        FactorKind.AuthenticatorApp => AuditEventTypes.AuthenticatorAdded,
        FactorKind.Passkey => AuditEventTypes.PasskeyAdded,
        FactorKind.PushDevice => AuditEventTypes.PushDeviceAdded,
        _ => AuditEventTypes.PhoneVerified,
    };

    private Task RecordRemovalAsync(FactorKind kind, AuditOutcome outcome, string userId, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(kind switch
        {
            FactorKind.AuthenticatorApp => AuditEventTypes.AuthenticatorRemoved,
            FactorKind.Passkey => AuditEventTypes.PasskeyRemoved,
            FactorKind.PushDevice => AuditEventTypes.PushDeviceRemoved,
            _ => AuditEventTypes.PhoneRemoved,
        }, outcome, userId, userId, Detail: detail), cancellationToken);

    private async Task<bool> IsLastRequiredAsync(PortalDbContext db, string userId, CancellationToken cancellationToken)
    {
        var required = (await policies.CurrentAsync(cancellationToken)).Mfa.RequiredForRoles;
        return (await sessions.RolesAsync(userId, cancellationToken)).Any(required.Contains)
            && await FactorsOf(db, userId).CountAsync(cancellationToken) <= 1;
    }

    // Written directly, not through UserManager: that would rotate the security stamp and sign the user out of the
    // very session in which they just added or removed a factor. Returns how many factors the user has now.
    private async Task<int> RefreshFlagAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await FactorsOf(db, userId).CountAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, count > 0), cancellationToken);
        return count;
    }

    private sealed record Target(string Name, bool IsFactor, Guid? LiveChallenge);

    private static async Task<Target?> FindAsync(PortalDbContext db, string userId, FactorKind kind, Guid id, CancellationToken cancellationToken) => kind switch
    {
        FactorKind.AuthenticatorApp => await db.TotpAuthenticators.Where(a => a.Id == id && a.UserId == userId)
            .Select(a => new Target(a.Name, true, null)).SingleOrDefaultAsync(cancellationToken),
        FactorKind.Passkey => await db.PasskeyCredentials.Where(c => c.Id == id && c.UserId == userId)
            .Select(c => new Target(c.Name, true, null)).SingleOrDefaultAsync(cancellationToken),
        FactorKind.PushDevice => await db.PushDevices.Where(d => d.Id == id && d.UserId == userId)
            .Select(d => new Target(d.Name, true, null)).SingleOrDefaultAsync(cancellationToken),
        // Only a verified phone is a factor: an unverified number may not even be the user's.
        _ => await db.UserPhones.Where(p => p.Id == id && p.UserId == userId)
            .Select(p => new Target(p.Masked, p.VerifiedAt != null, p.VerificationChallengeId)).SingleOrDefaultAsync(cancellationToken),
    };

    /// <summary>The users who have a factor of <paramref name="kind"/>, once per factor: the one definition of it.</summary>
    internal static IQueryable<string> OwnersOf(PortalDbContext db, FactorKind kind) => kind switch
    {
        FactorKind.AuthenticatorApp => db.TotpAuthenticators.Select(a => a.UserId),
        FactorKind.Passkey => db.PasskeyCredentials.Select(c => c.UserId),
        FactorKind.PushDevice => db.PushDevices.Select(d => d.UserId),
        // Only a verified phone: an unverified number may not even be the user's.
        _ => db.UserPhones.Where(p => p.VerifiedAt != null).Select(p => p.UserId),
    };

    /// <summary>The users who have a second factor of any kind, once per factor (UNION ALL).</summary>
    internal static IQueryable<string> OwnersOfAny(PortalDbContext db) =>
        OwnersOf(db, FactorKind.AuthenticatorApp).Concat(OwnersOf(db, FactorKind.Passkey)).Concat(OwnersOf(db, FactorKind.Phone))
            .Concat(OwnersOf(db, FactorKind.PushDevice));

    /// <summary>Every second factor of the user as one query (UNION ALL), so lists, counts and checks agree.</summary>
    private static IQueryable<FactorRow> FactorsOf(PortalDbContext db, string userId) =>
        db.TotpAuthenticators.Where(a => a.UserId == userId)
            .Select(a => new FactorRow { Kind = FactorKind.AuthenticatorApp, Id = a.Id, Name = a.Name, AddedAt = a.CreatedAt, LastUsedAt = a.LastUsedAt })
            .Concat(db.PasskeyCredentials.Where(c => c.UserId == userId)
                .Select(c => new FactorRow { Kind = FactorKind.Passkey, Id = c.Id, Name = c.Name, AddedAt = c.CreatedAt, LastUsedAt = c.LastUsedAt }))
            .Concat(db.UserPhones.Where(p => p.UserId == userId && p.VerifiedAt != null)
                .Select(p => new FactorRow { Kind = FactorKind.Phone, Id = p.Id, Name = p.Masked, AddedAt = p.CreatedAt, LastUsedAt = p.LastUsedAt }))
            .Concat(db.PushDevices.Where(d => d.UserId == userId)
                .Select(d => new FactorRow { Kind = FactorKind.PushDevice, Id = d.Id, Name = d.Name, AddedAt = d.CreatedAt, LastUsedAt = d.LastUsedAt }));

    // A settable class, not the record: EF Core translates a set operation only over member-init projections.
    private sealed class FactorRow
    {
        public FactorKind Kind { get; init; }

        public Guid Id { get; init; }

        public string Name { get; init; } = "";

        public DateTimeOffset AddedAt { get; init; }

        public DateTimeOffset? LastUsedAt { get; init; }
    }
}
