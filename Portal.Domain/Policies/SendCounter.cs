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
