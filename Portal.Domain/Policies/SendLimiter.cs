using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Policies;

/// <summary>The rule names a <see cref="SendDecision"/> carries.</summary>
public static class SendRules
{
    public const string PerUser = "per-user";
    public const string PerDestination = "per-destination";
    public const string PerIp = "per-ip";
    public const string PerClient = "per-client";
    public const string PerCountry = "per-country";
    public const string CountryNotAllowed = "country-not-allowed";
    public const string DailySmsCap = "daily-sms-cap";
}

/// <summary>
/// Abuse limits counted in the database, so they hold across nodes. Each rule counts in fixed windows aligned to its
/// length (the daily SMS cap to the UTC day): a slot frees when the window ends, which is the Retry-After. An attempt
/// increments every counter that applies, in one transaction, with an atomic upsert that returns the new count; the
/// first count over its limit rolls back to a savepoint before the first, so a refused attempt spends no rule's budget.
/// A send counts inside its own transaction (<see cref="PrepareAsync"/>), so the counts commit with its challenge.
/// Counters are taken in a fixed rule order, so concurrent attempts on PostgreSQL cannot deadlock on each other's rows.
/// </summary>
public sealed class SendLimiter(
    IDbContextFactory<PortalDbContext> dbFactory, IPolicies policies, SecretStore secrets, TimeProvider time, IOptions<PhoneOptions> phones)
    : ISendLimiter
{
    public const string SubjectSecretName = "limits.subject";

    /// <summary>What a caller is told to wait when its country is not allowed: a fixed hour, since no window frees it.</summary>
    public static readonly TimeSpan CountryNotAllowedRetryAfter = TimeSpan.FromHours(1);

    /// <summary>How often a node deletes counters whose window has ended.</summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private long nextPurgeAt;

    public async Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        var count = await PrepareAsync(attempt, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var decision = await count.CountAsync(db);
        await transaction.CommitAsync(cancellationToken);
        return decision;
    }

    public async Task<SendCount> PrepareAsync(SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        var policy = await policies.CurrentAsync(cancellationToken);
        var sms = attempt.Channel == Channel.Sms;
        if (sms && !IsAllowedRegion(policy.Sms, attempt.RegionCode))
        {
            return SendCount.Decided(new SendDecision(false, SendRules.CountryNotAllowed, CountryNotAllowedRetryAfter,
                "Codes cannot be sent by text message to this country."));
        }

        var now = time.GetUtcNow();
        await PurgeIfDueAsync(now, cancellationToken);
        var keys = await secrets.VersionsAsync(SubjectSecretName, 32, cancellationToken);
        var counters = Rules(policy, attempt, sms)
            .Select(rule => (Rule: rule, Start: SendCounter.WindowOf(now, rule.Window), Subjects: Subjects(keys, rule.Name, rule.Subject)))
            .ToList();
        return new SendCount(async db =>
        {
            var transaction = db.Database.CurrentTransaction
                ?? throw new InvalidOperationException("A send is counted inside the caller's transaction.");
            await transaction.CreateSavepointAsync("send_limits");
            foreach (var (rule, start, subjects) in counters)
            {
                // One statement, atomic on both providers: the row lock (PostgreSQL) or the write lock (SQLite) is held
                // to the end of the transaction, so concurrent attempts see each other's counts. After a rotation of the
                // subject key, what this window counted under the older versions counts too.
                if (await SendCounter.IncrementAsync(db, rule.Name, subjects, start, start + rule.Window, CancellationToken.None) > rule.Limit)
                {
                    // The first count over its limit undoes every count of this attempt: a refusal spends no budget.
                    await transaction.RollbackToSavepointAsync("send_limits");
                    return new SendDecision(false, rule.Name, start + rule.Window - now, rule.Reason);
                }
            }
            await transaction.ReleaseSavepointAsync("send_limits");
            return SendDecision.Allow;
        });
    }

    /// <summary>
    /// An SMS without a region is refused: the allow-list is a defence against SMS pumping and must fail closed.
    /// </summary>
    private bool IsAllowedRegion(SmsPolicy sms, string? region)
    {
        if (region is null)
        {
            return false;
        }
        var allowed = sms.AllowedRegions is { Count: > 0 } list ? list : [phones.Value.DefaultRegion];
        return allowed.Contains(region.ToUpperInvariant(), StringComparer.Ordinal);
    }

    private static IEnumerable<Rule> Rules(PolicySet policy, SendAttempt attempt, bool sms)
    {
        var limits = policy.RateLimits;
        if (attempt.UserId is { } user)
        {
            yield return new Rule(SendRules.PerUser, user, limits.PerUser.Limit, limits.PerUser.Window,
                "You have asked for too many codes. Try again later.");
        }
        yield return new Rule(SendRules.PerDestination, $"{attempt.Channel.Name()}:{attempt.Destination}", limits.PerDestination.Limit,
            limits.PerDestination.Window, "Too many codes have been sent to this destination. Try again later.");
        if (attempt.ClientIp is { } ip)
        {
            yield return new Rule(SendRules.PerIp, ip, limits.PerIp.Limit, limits.PerIp.Window,
                "Too many codes have been requested from this network. Try again later.");
        }
        if (attempt.ClientId is { } client)
        {
            yield return new Rule(SendRules.PerClient, client, limits.PerApiClient.Limit, limits.PerApiClient.Window,
                "This API client has sent too many codes. Try again later.");
        }
        if (sms)
        {
            yield return new Rule(SendRules.PerCountry, attempt.RegionCode!.ToUpperInvariant(), limits.PerCountry.Limit, limits.PerCountry.Window,
                "Too many codes have been sent to this country recently. Try again later.");
            // Days since the epoch are UTC days, so the window aligned to one day is the UTC day.
            yield return new Rule(SendRules.DailySmsCap, "all", policy.Sms.DailyCap, Day,
                "The daily limit for text messages has been reached. Try again tomorrow or choose email.");
        }
    }

    /// <summary>
    /// A keyed hash, tagged with the key's version: the counters table never holds a user id, an IP address or a
    /// destination, and a counter made before a rotation is still found.
    /// </summary>
    internal static string Subject(InstallSecret key, string rule, string value) =>
        key.Tag + Convert.ToBase64String(HMACSHA256.HashData(key.Key, Encoding.UTF8.GetBytes($"{rule}\n{value}")));

    /// <summary>The subject under every version of the key, the current one first.</summary>
    internal static IReadOnlyList<string> Subjects(IReadOnlyList<InstallSecret> keys, string rule, string value) =>
        keys.Select(k => Subject(k, rule, value)).ToList();

    private async Task PurgeIfDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = Interlocked.Read(ref nextPurgeAt);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref nextPurgeAt, (now + PurgeEvery).UtcTicks, due) != due)
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SendCounters.Where(c => c.WindowEnd <= now).ExecuteDeleteAsync(cancellationToken);
    }

    private sealed record Rule(string Name, string Subject, int Limit, TimeSpan Window, string Reason);
}
