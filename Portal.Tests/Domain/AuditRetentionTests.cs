using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditRetentionTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Apply_DeletesEventsOlderThanThePeriod_AndKeepsTheRest()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);

        var result = await audit.Retention.ApplyAsync(batchSize: 3);

        // Events 1..10 are 40..31 days old when the clock stops; event 11 is exactly 30 days old and stays.
        Assert.Equal(10, result.Deleted);
        Assert.Equal(11, result.NewStart);
        Assert.Equal(11, await MinSequenceAsync());
    }

    [Fact]
    public async Task Apply_RemainingChain_StillVerifiesFromTheRetentionCheckpoint()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);

        await audit.Retention.ApplyAsync(batchSize: 3);
        var report = await audit.Verifier.VerifyAsync(batchSize: 4);

        Assert.True(report.Intact, report.Message);
        Assert.Equal(10, report.StartedAfter!.Sequence);
        Assert.Equal(AuditCheckpointKind.Retention, report.StartedAfter.Kind);
    }

    [Fact]
    public async Task Apply_IsRecordedAsASystemEvent()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);

        await audit.Retention.ApplyAsync();

        await using var db = await database.Factory.CreateDbContextAsync();
        var last = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync();
        Assert.Equal(AuditEventTypes.AuditRetentionApplied, last.Type);
        Assert.Equal(AuditOutcome.Success, last.Outcome);
        Assert.Contains("Deleted 10 events", last.Detail);
    }

    [Fact]
    public async Task Apply_RunTwice_DeletesNothingMore_AndTheChainStillVerifies()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);
        await audit.Retention.ApplyAsync();

        var again = await audit.Retention.ApplyAsync();

        Assert.Equal(0, again.Deleted);
        Assert.True((await audit.Verifier.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Apply_LaterDays_MovesTheStartForward_AndTheChainStillVerifies()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);
        await audit.Retention.ApplyAsync();
        await audit.Checkpoints.WriteAsync();

        database.Time.Advance(TimeSpan.FromDays(5));
        var second = await audit.Retention.ApplyAsync();

        Assert.Equal(5, second.Deleted);
        var report = await audit.Verifier.VerifyAsync();
        Assert.True(report.Intact, report.Message);
    }

    [Fact]
    public async Task Apply_DeletingHeadEventsWithoutRetention_IsReportedAsMissing()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 5);
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence <= 2");

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.Missing, report.Problem);
        Assert.Equal(1, report.BrokenAt);
    }

    [Fact]
    public async Task Apply_BrokenChain_IsRefusedAndDeletesNothing()
    {
        var audit = new AuditServices(database, retentionDays: 30);
        await RecordDailyAsync(days: 40);
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Detail = 'covered up' WHERE Sequence = 5");

        var result = await audit.Retention.ApplyAsync();

        Assert.Equal(0, result.Deleted);
        Assert.Equal(1, await MinSequenceAsync());
    }

    [Fact]
    public async Task Apply_ZeroDays_KeepsEverything()
    {
        var audit = new AuditServices(database, retentionDays: 0);
        await RecordDailyAsync(days: 40);

        var result = await audit.Retention.ApplyAsync();

        Assert.Equal(0, result.Deleted);
        Assert.Equal(1, await MinSequenceAsync());
    }

    /// <summary>One event a day; the clock ends one day after the last one.</summary>
    private async Task RecordDailyAsync(int days)
    {
        for (var i = 1; i <= days; i++)
        {
            await database.AuditLog.RecordAsync(AuditVerifierTests.Entry($"day {i}"));
            database.Time.Advance(TimeSpan.FromDays(1));
        }
    }

    private async Task<long> MinSequenceAsync()
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.MinAsync(e => e.Sequence);
    }
}
