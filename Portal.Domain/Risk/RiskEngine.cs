using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Risk;

/// <summary>What the web layer saw of an attempt, plus the failures counted before it.</summary>
public sealed record RiskAttempt(string? IpAddress, string? UserAgent, string? DeviceId, int UserFailures = 0, int NetworkFailures = 0);

/// <summary>
/// A scored attempt. <see cref="Decision"/> is what the thresholds say; <see cref="Enforced"/> what the sign-in does
/// with it (always <see cref="RiskDecision.Allow"/> in dry-run or when scoring is off).
/// </summary>
public sealed record RiskAssessment(RiskScore Score, RiskDecision Decision, RiskMode Mode, GeoPlace Place, SignInFeatures Features)
{
    public RiskDecision Enforced => Mode == RiskMode.Enforce ? Decision : RiskDecision.Allow;

    public bool DemandsStepUp => Enforced == RiskDecision.StepUp;

    public static RiskAssessment Unscored(GeoPlace place, SignInFeatures features) =>
        new(new RiskScore(0, [], 0), RiskDecision.Allow, RiskMode.Off, place, features);
}

/// <summary>What learning a successful sign-in found new for the user (for the new-device and new-place alert).</summary>
public sealed record LearnedSignIn(bool NewDevice, bool NewCountry, long HistoryBefore, string DeviceName, GeoPlace Place);

/// <summary>
/// The live risk engine: the features of an attempt (GeoIP, User-Agent, device cookie, failures), its score against
/// the user's bounded history and the population's frequencies (<see cref="RiskModel"/>), the policy's decision, and
/// the audit entry with its reasons. It learns only from sign-ins that succeeded, so an attacker's failed tries teach
/// it nothing.
/// </summary>
public sealed class RiskEngine(
    IDbContextFactory<PortalDbContext> dbFactory,
    IGeoLocator geo,
    SecretStore secrets,
    IPolicies policies,
    AuditLog audit,
    KnownDevices devices,
    IOptions<RiskOptions> options,
    ILogger<RiskEngine> logger,
    TimeProvider time)
{
    public GeoPlace Locate(string? ipAddress) => geo.Locate(ipAddress);

    /// <summary>Scores an attempt for <paramref name="userId"/> and audits the decision with its reasons.</summary>
    /// <param name="path">What is being decided: "password", "passkey", "qr approval"...</param>
    public async Task<RiskAssessment> AssessAsync(string userId, RiskAttempt attempt, bool hasFactor, string path, CancellationToken cancellationToken = default)
    {
        var (place, features) = await FeaturesAsync(attempt, cancellationToken);
        return await AssessAsync(userId, place, features, hasFactor, path, attempt.IpAddress, attempt.UserAgent, cancellationToken);
    }

    /// <summary>Scores features taken earlier (a QR sign-in's screen, scored when the phone opens it).</summary>
    /// <param name="ipAddress">The acting client's address, for the audit event.</param>
    public Task<RiskAssessment> AssessAsync(string userId, SignInFeatures features, bool hasFactor, string path, string? ipAddress, string? userAgent, CancellationToken cancellationToken = default) =>
        AssessAsync(userId, new GeoPlace(features.Country, features.City, features.Location?.Latitude, features.Location?.Longitude, features.Location?.AccuracyKm,
            features.Asn, features.AsnOrganisation, features.Anonymiser, features.Hosting), features with { At = time.GetUtcNow() }, hasFactor, path, ipAddress, userAgent, cancellationToken);

    private async Task<RiskAssessment> AssessAsync(
        string userId, GeoPlace place, SignInFeatures features, bool hasFactor, string path, string? ipAddress, string? userAgent, CancellationToken cancellationToken)
    {
        var policy = (await policies.CurrentAsync(cancellationToken)).Risk ?? new RiskPolicy();
        if (policy.Mode == RiskMode.Off)
        {
            return RiskAssessment.Unscored(place, features);
        }
        var history = await HistoryAsync(userId, cancellationToken);
        var population = await PopulationAsync(features, cancellationToken);
        var score = Model.Score(features, history, population);
        var decision = policy.Decide(score.Value, score.HasBaseline, hasFactor);
        var assessment = new RiskAssessment(score, decision, policy.Mode, place, features);
        await AuditAsync(userId, ipAddress, userAgent, path, assessment, cancellationToken);
        if (decision != RiskDecision.Allow)
        {
            logger.LogInformation(new EventId(1602, "RiskDecision"), "Risk {Decision} ({Mode}) for a {Path} sign-in: score {Score:0.0}, {Reasons} reasons",
                decision, policy.Mode, path, score.Value, score.Reasons.Count);
        }
        return assessment;
    }

    /// <summary>
    /// Learns from a sign-in that succeeded: adds it to the user's history (trimmed to its bounds) and to the
    /// population's frequencies, and records the device. Says what was new, for the alert.
    /// </summary>
    public async Task<LearnedSignIn> LearnAsync(string userId, RiskAttempt attempt, CancellationToken cancellationToken = default)
    {
        var (place, features) = await FeaturesAsync(attempt, cancellationToken);
        var bounds = options.Value;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var since = time.GetUtcNow() - bounds.HistoryRetention;
        var before = await db.RiskSignIns.CountAsync(s => s.UserId == userId && s.At >= since, cancellationToken);
        var newCountry = features.Country is { } country
            && !await db.RiskSignIns.AnyAsync(s => s.UserId == userId && s.At >= since && s.Country == country, cancellationToken);
        var device = await devices.SeenAsync(userId, features.DeviceKey, attempt.UserAgent, place.Describe(), cancellationToken);

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            db.RiskSignIns.Add(RiskSignIn.From(userId, features));
            await db.SaveChangesAsync(cancellationToken);
            await CountAsync(db, features, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await TrimAsync(db, userId, since, bounds.MaxHistoryPerUser, cancellationToken);
        return new LearnedSignIn(device.IsNew, newCountry, before, device.Name, place);
    }

    /// <summary>The user's remembered sign-ins, newest first (for "Download my data").</summary>
    public async Task<IReadOnlyList<RiskSignIn>> SignInsOfAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.RiskSignIns.AsNoTracking().Where(s => s.UserId == userId).ToListAsync(cancellationToken)).OrderByDescending(s => s.At).ToList();
    }

    /// <summary>Deletes every user's sign-ins older than Risk:HistoryRetention (the daily <c>risk.retention</c> job).</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - options.Value.HistoryRetention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RiskSignIns.Where(s => s.At < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The features of an attempt, with the place GeoIP gives its address.</summary>
    public async Task<(GeoPlace Place, SignInFeatures Features)> FeaturesAsync(RiskAttempt attempt, CancellationToken cancellationToken = default)
    {
        var place = geo.Locate(attempt.IpAddress);
        var key = await PseudonymKeyAsync(cancellationToken);
        var features = SignInFeatures.From(time.GetUtcNow(), attempt.IpAddress, attempt.UserAgent, attempt.DeviceId, place,
            value => RiskPseudonyms.Of(key, value), attempt.UserFailures, attempt.NetworkFailures);
        return (place, features);
    }

    private RiskModel Model => new(new RiskModel.Weights(MaxTravelKmPerHour: options.Value.MaxTravelKmPerHour));

    private async Task<UserHistory> HistoryAsync(string userId, CancellationToken cancellationToken)
    {
        var bounds = options.Value;
        var since = time.GetUtcNow() - bounds.HistoryRetention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.RiskSignIns.AsNoTracking().Where(s => s.UserId == userId && s.At >= since)
            .OrderByDescending(s => s.At).Take(bounds.MaxHistoryPerUser).ToListAsync(cancellationToken);
        return UserHistory.Of(rows.Select(r => r.ToFeatures()));
    }

    private async Task<FeatureCounts> PopulationAsync(SignInFeatures features, CancellationToken cancellationToken)
    {
        var keys = KeysOf(features).Append(RiskFrequency.TotalKey).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.RiskFrequencies.AsNoTracking().Where(f => keys.Contains(f.Key)).ToDictionaryAsync(f => f.Key, f => f.Count, cancellationToken);
        return FeatureCounts.Of(counts.GetValueOrDefault(RiskFrequency.TotalKey), counts);
    }

    private static IEnumerable<string> KeysOf(SignInFeatures features) =>
        features.Levels().SelectMany(l => l.ParentKey is null ? [l.Key] : new[] { l.Key, l.ParentKey }).Distinct(StringComparer.Ordinal);

    /// <summary>One statement: every level of the sign-in and the total counted once more (an upsert on both providers).</summary>
    private static async Task CountAsync(PortalDbContext db, SignInFeatures features, CancellationToken cancellationToken)
    {
        var keys = features.Levels().Select(l => l.Key).Append(RiskFrequency.TotalKey).Distinct(StringComparer.Ordinal).ToList();
        var values = string.Join(", ", keys.Select((_, i) => $"({{{i}}}, 1)"));
        var sql = $"INSERT INTO \"RiskFrequencies\" (\"Key\", \"Count\") VALUES {values} ON CONFLICT (\"Key\") DO UPDATE SET \"Count\" = \"RiskFrequencies\".\"Count\" + 1";
        await db.Database.ExecuteSqlRawAsync(sql, keys.Cast<object>(), cancellationToken);
    }

    private static async Task TrimAsync(PortalDbContext db, string userId, DateTimeOffset since, int keep, CancellationToken cancellationToken)
    {
        await db.RiskSignIns.Where(s => s.UserId == userId && s.At < since).ExecuteDeleteAsync(cancellationToken);
        var cutoff = await db.RiskSignIns.Where(s => s.UserId == userId).OrderByDescending(s => s.Id).Skip(keep).Select(s => (long?)s.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (cutoff is { } id)
        {
            await db.RiskSignIns.Where(s => s.UserId == userId && s.Id <= id).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private async Task AuditAsync(string userId, string? ipAddress, string? userAgent, string path, RiskAssessment assessment, CancellationToken cancellationToken)
    {
        var decision = assessment.Decision switch { RiskDecision.StepUp => "step-up", RiskDecision.Deny => "deny", _ => "allow" };
        var mode = assessment.Mode == RiskMode.DryRun ? " (dry run: not enforced)" : "";
        var baseline = assessment.Score.HasBaseline ? "" : $" (no baseline: {assessment.Score.HistoryCount} earlier sign-ins)";
        var detail = $"{decision}{mode} for {path}{baseline}; {assessment.Score.Summary()}";
        var type = assessment.Decision switch { RiskDecision.StepUp => AuditEventTypes.RiskStepUp, RiskDecision.Deny => AuditEventTypes.RiskDenied, _ => AuditEventTypes.RiskAllowed };
        await audit.RecordAsync(new AuditEntry(type,
            assessment.Decision == RiskDecision.Allow ? AuditOutcome.Success : AuditOutcome.Failure,
            userId, userId, ipAddress, userAgent, detail.Length > 512 ? detail[..511] + "…" : detail), cancellationToken);
    }

    private async Task<byte[]> PseudonymKeyAsync(CancellationToken cancellationToken) =>
        await secrets.GetOrCreateAsync(RiskPseudonyms.SecretName, 32, cancellationToken);
}

/// <summary>
/// The keyed hash of the values the risk engine must compare but not keep: addresses, browser builds, devices. The
/// live engine keys it with the install's <see cref="SecretName"/>; an offline replay with a key of its own.
/// </summary>
public static class RiskPseudonyms
{
    public const string SecretName = "risk.features";

    // Keyed, so the stored keys cannot be tested against guessed addresses; 96 bits is plenty to tell values apart.
    public static string Of(byte[] key, string value) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)), 0, 12).Replace('+', '-').Replace('/', '_');

    public static Func<string, string> Keyed(byte[] key) => value => Of(key, value);

    /// <summary>A key for one replay only: its output holds no value a reader could link back.</summary>
    public static Func<string, string> WithRandomKey() => Keyed(RandomNumberGenerator.GetBytes(32));
}
