using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Policies;

/// <summary>
/// Attempts counted in fixed windows in the database (the send limiter's table, so they hold across nodes and are
/// purged with it), for things that have no row of their own to count on: sign-in attempts at an unknown account.
/// The subject is stored as a keyed hash, never as given.
/// </summary>
public sealed class AttemptCounters(IDbContextFactory<PortalDbContext> dbFactory, SecretStore secrets, TimeProvider time)
{

    /// <summary>Counts one attempt: how many there have been in the current window, this one included, and when it ends.</summary>
    public async Task<(int Count, DateTimeOffset WindowEnd)> CountAsync(string rule, string subject, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var (start, hashed) = await KeyAsync(rule, subject, window, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await SendCounter.IncrementAsync(db, rule, hashed, start, start + window, cancellationToken);
        return (count, start + window);
    }

    /// <summary>How many attempts the current window holds (without counting one), and when it ends.</summary>
    public async Task<(int Count, DateTimeOffset WindowEnd)> PeekAsync(string rule, string subject, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var (start, hashed) = await KeyAsync(rule, subject, window, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await SendCounter.CountAsync(db, rule, hashed, start, cancellationToken), start + window);
    }

    /// <summary>Gives one counted attempt back (it turned out not to be a failure), in the current window.</summary>
    public async Task GiveBackAsync(string rule, string subject, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var (start, hashed) = await KeyAsync(rule, subject, window, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Counted a moment ago, under the current version of the key.
        await db.SendCounters.Where(c => c.Rule == rule && c.Subject == hashed[0] && c.WindowStart == start && c.Count > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Count, c => c.Count - 1), cancellationToken);
    }

    /// <summary>
    /// Counts one use of a one-off subject (a proof's id) that is valid until <paramref name="validUntil"/>: its counter
    /// belongs to that instant, not to a clock-aligned window, so no window boundary can reset it while it is valid.
    /// </summary>
    public async Task<int> CountUseAsync(string rule, string subject, DateTimeOffset validUntil, CancellationToken cancellationToken = default)
    {
        var until = Instants.Truncate(validUntil);
        var hashed = await SubjectsAsync(rule, subject, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Purged (with the limiter's counters) a minute after the subject stopped being valid. A use counted before a
        // rotation of the subject key counts too, so a spent proof stays spent.
        return await SendCounter.IncrementAsync(db, rule, hashed, until, until + TimeSpan.FromMinutes(1), cancellationToken);
    }

    /// <summary>The current window of <paramref name="window"/> and the subject's keyed hash under every key version, current first.</summary>
    private async Task<(DateTimeOffset Start, IReadOnlyList<string> Subjects)> KeyAsync(string rule, string subject, TimeSpan window, CancellationToken cancellationToken) =>
        (SendCounter.WindowOf(time.GetUtcNow(), window), await SubjectsAsync(rule, subject, cancellationToken));

    private async Task<IReadOnlyList<string>> SubjectsAsync(string rule, string subject, CancellationToken cancellationToken) =>
        SendLimiter.Subjects(await secrets.VersionsAsync(SendLimiter.SubjectSecretName, 32, cancellationToken), rule, subject);
}
