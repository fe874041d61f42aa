using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Activity;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Privacy;

public sealed record ExportedAccount(string Email, bool EmailConfirmed, DateTimeOffset CreatedAt, IReadOnlyList<string> Roles, bool TwoStepVerification);

public sealed record ExportedFactor(string Kind, string Name, DateTimeOffset AddedAt, DateTimeOffset? LastUsedAt, string? Detail);

public sealed record ExportedPhone(string Number, string Region, DateTimeOffset AddedAt, DateTimeOffset? VerifiedAt, DateTimeOffset? LastUsedAt);

public sealed record ExportedSession(string? Device, string? ApproximateAddress, string? SignInMethod, DateTimeOffset SignedInAt, DateTimeOffset LastSeenAt);

public sealed record ExportedDevice(string Name, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, string? LastPlace, int SignIns, DateTimeOffset? RememberedUntil);

/// <summary>One sign-in as the risk engine remembers it: where and with what, never the address itself.</summary>
public sealed record ExportedRiskSignIn(DateTimeOffset At, string? Country, string? City, long? Asn, string? NetworkOperator, string? DeviceType, string? Os, string? Browser);

public sealed record ExportedActivity(DateTimeOffset At, string What, string Type, bool Failed, string? Device);

/// <summary>
/// Everything Tessera holds about one person, as they may take it away ("Download my data"). Names, dates and
/// descriptions only: never a secret (authenticator keys, passkey keys, code hashes, recovery codes), never another
/// person's data.
/// </summary>
public sealed record PersonalData(
    DateTimeOffset ExportedAt,
    ExportedAccount Account,
    IReadOnlyList<ExportedFactor> SignInMethods,
    IReadOnlyList<ExportedPhone> Phones,
    int RecoveryCodesLeft,
    IReadOnlyList<ExportedSession> Sessions,
    IReadOnlyList<ExportedDevice> Devices,
    IReadOnlyList<ExportedRiskSignIn> SignInHistory,
    IReadOnlyList<ExportedActivity> Activity,
    string Note);

public sealed class PersonalDataExport(
    IDbContextFactory<PortalDbContext> dbFactory,
    FactorLifecycle factors,
    UserPhones phones,
    RecoveryCodes recoveryCodes,
    UserSessions sessions,
    ActivityFeed activity,
    Risk.KnownDevices devices,
    Risk.RiskEngine risk,
    AuditLog audit,
    TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The person's data, or null when there is no such account. The export itself is audited.</summary>
    /// <param name="actorId">Who asked: the person, or an administrator on their behalf.</param>
    public async Task<PersonalData?> ExportAsync(string userId, string actorId, CancellationToken cancellationToken = default)
    {
        ApplicationUser? user;
        IReadOnlyList<string> roles;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user is null)
            {
                return null;
            }
            roles = await db.UserRoles.Where(r => r.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
                .OrderBy(n => n).ToListAsync(cancellationToken);
        }

        var methods = (await factors.ListAsync(userId, cancellationToken))
            .Where(f => f.Kind != FactorKind.Phone)
            .Select(f => new ExportedFactor(f.KindName, f.Name, f.AddedAt, f.LastUsedAt, f.Detail))
            .ToList();
        var numbers = (await phones.ListWithNumbersAsync(userId, cancellationToken))
            .Select(p => new ExportedPhone(p.Number, p.Phone.Region, p.Phone.CreatedAt, p.Phone.VerifiedAt, p.Phone.LastUsedAt))
            .ToList();
        var live = (await sessions.ListActiveAsync(userId, cancellationToken))
            .Select(s => new ExportedSession(s.Device, s.IpDisplay, s.Method, s.CreatedAt, s.LastSeenAt))
            .ToList();
        var lines = new List<ExportedActivity>();
        for (var page = 1; ; page++)
        {
            var feed = await activity.PageAsync(userId, ActivityVoice.You, kind: null, page, ActivityFeed.MaxPageSize, cancellationToken);
            lines.AddRange(feed.Items.Select(i => new ExportedActivity(i.At, i.Line.Sentence, i.Type, i.Failed, i.Device)));
            if (page >= feed.Pages)
            {
                break;
            }
        }

        var data = new PersonalData(
            time.GetUtcNow(),
            new ExportedAccount(user.Email ?? user.UserName ?? "", user.EmailConfirmed, user.CreatedAt, roles, methods.Count + numbers.Count(p => p.VerifiedAt is not null) > 0),
            methods,
            numbers,
            await recoveryCodes.RemainingAsync(userId, cancellationToken),
            live,
            (await devices.ListAsync(userId, null, cancellationToken))
                .Select(d => new ExportedDevice(d.Name, d.FirstSeenAt, d.LastSeenAt, d.LastPlace, d.SignIns, d.RememberedUntil)).ToList(),
            (await risk.SignInsOfAsync(userId, cancellationToken))
                .Select(r => new ExportedRiskSignIn(r.At, r.Country, r.City, r.Asn, r.AsnOrganisation, r.DeviceType, r.Os, r.Browser)).ToList(),
            lines,
            "Secrets are not included: authenticator keys, passkey keys and recovery codes never leave Tessera. Client addresses are shown shortened, as Tessera stores them.");
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountDataExported, AuditOutcome.Success, actorId, userId,
            Detail: $"methods={methods.Count}; phones={numbers.Count}; activity={lines.Count}"), cancellationToken);
        return data;
    }

    public static byte[] ToJson(PersonalData data) => JsonSerializer.SerializeToUtf8Bytes(data, Json);
}
