using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Policies;

/// <summary>
/// Sends counted for one rule and subject in one fixed time window. The subject is a keyed hash (of a user id, an IP
/// address, a destination hash...), so the table never holds who or where.
/// </summary>
public sealed class SendCounter
{
    /// <summary>"per-user", "per-destination", ... (<see cref="SendRules"/>).</summary>
    public required string Rule { get; init; }

    public required string Subject { get; init; }

    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }

    public int Count { get; set; }

    /// <summary>
    /// The start of the window of <paramref name="length"/> that <paramref name="now"/> falls in: windows are aligned to
    /// their length (a day's to the UTC day), so every node counts in the same one.
    /// </summary>
    public static DateTimeOffset WindowOf(DateTimeOffset now, TimeSpan length) =>
        new(now.UtcTicks - now.UtcTicks % length.Ticks, TimeSpan.Zero);

    /// <summary>
    /// Counts one more under the first subject (the current key version's) and returns the window's count under all of
    /// them: the older versions' rows only exist for a while after a rotation, so usually this is the one upsert.
    /// </summary>
    internal static async Task<int> IncrementAsync(
        Persistence.PortalDbContext db, string rule, IReadOnlyList<string> subjects, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var count = await IncrementAsync(db, rule, subjects[0], windowStart, windowEnd, cancellationToken);
        return subjects.Count == 1 ? count : count + await CountAsync(db, rule, subjects.Skip(1).ToList(), windowStart, cancellationToken);
    }

    /// <summary>The window's count under any of <paramref name="subjects"/>.</summary>
    internal static async Task<int> CountAsync(
        Persistence.PortalDbContext db, string rule, IReadOnlyList<string> subjects, DateTimeOffset windowStart, CancellationToken cancellationToken) =>
        await db.SendCounters.Where(c => c.Rule == rule && subjects.Contains(c.Subject) && c.WindowStart == windowStart)
            .SumAsync(c => (int?)c.Count, cancellationToken) ?? 0;

    /// <summary>Counts one more in the window and returns the new count: one atomic upsert on both providers.</summary>
    internal static async Task<int> IncrementAsync(
        Persistence.PortalDbContext db, string rule, string subject, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        // Raw SQL for the upsert, so the instants go in as the provider stores them.
        var start = Persistence.Instants.Parameter(db.Database, windowStart);
        var end = Persistence.Instants.Parameter(db.Database, windowEnd);
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO "SendCounters" ("Rule", "Subject", "WindowStart", "WindowEnd", "Count")
            VALUES ({rule}, {subject}, {start}, {end}, 1)
            ON CONFLICT ("Rule", "Subject", "WindowStart") DO UPDATE SET "Count" = "SendCounters"."Count" + 1
            RETURNING "Count" AS "Value"
            """).ToListAsync(cancellationToken);
        return counts[0];
    }
}

internal sealed class SendCounterConfiguration : IEntityTypeConfiguration<SendCounter>
{
    public void Configure(EntityTypeBuilder<SendCounter> builder)
    {
        // The conflict target of the limiter's upsert.
        builder.HasKey(c => new { c.Rule, c.Subject, c.WindowStart });
        builder.Property(c => c.Rule).HasMaxLength(32);
        builder.Property(c => c.Subject).HasMaxLength(64);
        builder.HasIndex(c => c.WindowEnd);
    }
}
