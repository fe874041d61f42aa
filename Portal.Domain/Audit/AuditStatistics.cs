using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Security activity per hour or day for the admin dashboard: counted by the database (GROUP BY over the indexed
/// (Type, OccurredAt)), never by loading events.
/// </summary>
public sealed class AuditStatistics(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const string SignIns = "Sign-ins";
    public const string FailedSignIns = "Failed sign-ins";
    public const string Lockouts = "Lockouts";
    public const string StepUps = "Step-ups";
    public const string RiskStepUps = "Unusual: stepped up";
    public const string RiskDenials = "Unusual: blocked";
    public const string NotMeReports = "Reported: this wasn't me";

    /// <summary>Which (type, outcome) counts toward which series; a null outcome counts both.</summary>
    private static readonly (string Series, string Type, AuditOutcome? Outcome)[] Sources =
    [
        (SignIns, AuditEventTypes.SignIn, AuditOutcome.Success),
        (FailedSignIns, AuditEventTypes.SignIn, AuditOutcome.Failure),
        (Lockouts, AuditEventTypes.LockedOut, null),
        (Lockouts, AuditEventTypes.SecondFactorLockedOut, null),
        // A step-up: the password was right and a second factor was then asked for.
        (StepUps, AuditEventTypes.PasswordVerified, null),
        // The risk engine's decisions (dry-run ones included: the chart is for tuning too).
        (RiskStepUps, AuditEventTypes.RiskStepUp, null),
        (RiskDenials, AuditEventTypes.RiskDenied, null),
        // A user said a sign-in, a QR code or a pushed request was not theirs: someone may hold their password.
        (NotMeReports, AuditEventTypes.NotMe, null),
        (NotMeReports, AuditEventTypes.QrSignInNotMe, null),
        (NotMeReports, AuditEventTypes.PushNotMe, null),
    ];

    public async Task<CountSeries> ActivityAsync(StatisticsPeriod period, CancellationToken cancellationToken = default)
    {
        var buckets = TimeBuckets.For(period, time.GetUtcNow());
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = db.Model.FindEntityType(typeof(AuditEvent))!;
        var table = TimeBuckets.Quote(entity.GetTableName()!);
        var occurredAt = TimeBuckets.Quote(nameof(AuditEvent.OccurredAt));
        var type = TimeBuckets.Quote(nameof(AuditEvent.Type));
        var outcome = TimeBuckets.Quote(nameof(AuditEvent.Outcome));
        var types = Sources.Select(s => s.Type).Distinct().ToArray();
        var typeParameters = string.Join(", ", types.Select((_, i) => $"{{{i + 1}}}"));
        var key = buckets.KeySql(db, occurredAt);
        var sql = $"SELECT {key} AS \"Bucket\", {type} || '|' || {outcome} AS \"Key\", COUNT(*) AS \"Count\" " +
                  $"FROM {table} WHERE {type} IN ({typeParameters}) AND {occurredAt} >= {{0}} " +
                  $"GROUP BY {key}, {type}, {outcome}";
        object[] parameters = [buckets.FromParameter(db), .. types];
        var rows = await db.Database.SqlQueryRaw<BucketCount>(sql, parameters).ToListAsync(cancellationToken);

        var names = Sources.Select(s => s.Series).Distinct().ToArray();
        var counts = names.ToDictionary(n => n, _ => new long[buckets.Starts.Count]);
        foreach (var row in rows)
        {
            var index = buckets.IndexOf(row.Bucket);
            var parts = row.Key.Split('|');
            if (index < 0 || parts.Length != 2)
            {
                continue;
            }
            foreach (var source in Sources.Where(s => s.Type == parts[0] && (s.Outcome is null || s.Outcome.ToString() == parts[1])))
            {
                counts[source.Series][index] += row.Count;
            }
        }
        return new CountSeries(buckets.Starts, buckets.Labels(), names.Select(n => new NamedCounts(n, counts[n])).ToArray());
    }
}
