using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditVerifierTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private AuditServices audit = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        audit = new AuditServices(database);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Verify_EmptyLog_IsIntact()
    {
        var report = await audit.Verifier.VerifyAsync();

        Assert.True(report.Intact);
        Assert.Equal(0, report.EventsChecked);
    }

    [Fact]
    public async Task Verify_IntactChainAcrossBatches_IsIntact()
    {
        await RecordManyAsync(7);

        var report = await audit.Verifier.VerifyAsync(batchSize: 2);

        Assert.True(report.Intact, report.Message);
        Assert.Equal(7, report.EventsChecked);
    }

    [Fact]
    public async Task Verify_ConcurrentWriters_LeaveAnIntactChain()
    {
        await Task.WhenAll(Enumerable.Range(1, 50).Select(i => database.AuditLog.RecordAsync(Entry($"concurrent {i}"))));

        var report = await audit.Verifier.VerifyAsync(batchSize: 7);

        Assert.True(report.Intact, report.Message);
    }

    [Fact]
    public async Task Verify_EditedEvent_IsReportedAsEditedAtThatSequence()
    {
        await RecordManyAsync(7);
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Detail = 'nothing to see' WHERE Sequence = 6");

        var report = await audit.Verifier.VerifyAsync(batchSize: 2);

        Assert.Equal(ChainProblem.Edited, report.Problem);
        Assert.Equal(6, report.BrokenAt);
    }

    [Fact]
    public async Task Verify_EditedEventWithRecomputedHash_IsReportedAtTheNextEvent()
    {
        await RecordManyAsync(5);
        var original = await ReadAsync(3);
        var forged = Copy(original, original.Sequence, "nothing to see");
        await database.ExecuteSqlAsync(
            "UPDATE AuditEvents SET Detail = {0}, Hash = {1} WHERE Sequence = 3", forged.Detail!, AuditChain.ComputeHash(forged));

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.Edited, report.Problem);
        Assert.Equal(4, report.BrokenAt);
    }

    [Fact]
    public async Task Verify_EventDeletedInTheMiddle_IsReportedAsMissing()
    {
        await RecordManyAsync(5);
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence = 3");

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.Missing, report.Problem);
        Assert.Equal(3, report.BrokenAt);
    }

    [Fact]
    public async Task Verify_TwoEventsSwapped_IsReportedAsReordered()
    {
        await RecordManyAsync(6);
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Sequence = -4 WHERE Sequence = 4");
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Sequence = 4 WHERE Sequence = 5");
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Sequence = 5 WHERE Sequence = -4");

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.Reordered, report.Problem);
        Assert.Equal(4, report.BrokenAt);
    }

    [Fact]
    public async Task Verify_TailDeletedAfterACheckpoint_IsReportedAsTruncated()
    {
        await RecordManyAsync(5);
        var checkpoint = await audit.Checkpoints.WriteAsync();
        Assert.NotNull(checkpoint);
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence >= 4");

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.TailTruncated, report.Problem);
        Assert.Equal(4, report.BrokenAt);
        Assert.Contains($"checkpoint {checkpoint.Id}", report.Message);
    }

    [Fact]
    public async Task Verify_TailDeletedWithoutACheckpoint_GoesUnnoticed()
    {
        // Why checkpoints exist: a shorter chain is still a valid chain.
        await RecordManyAsync(5);
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence >= 4");

        var report = await audit.Verifier.VerifyAsync();

        Assert.True(report.Intact);
    }

    [Fact]
    public async Task Verify_CheckpointWithForgedSignature_IsReported()
    {
        await RecordManyAsync(3);
        var checkpoint = await audit.Checkpoints.WriteAsync();
        await database.ExecuteSqlAsync("UPDATE AuditCheckpoints SET Sequence = 2 WHERE Id = {0}", checkpoint!.Id);

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.ForgedCheckpoint, report.Problem);
        Assert.Equal(2, report.BrokenAt);
    }

    [Fact]
    public async Task Verify_ChainRewrittenFromTheStartWithValidHashes_DisagreesWithTheCheckpoint()
    {
        await RecordManyAsync(3);
        var checkpoint = await audit.Checkpoints.WriteAsync();
        // Rewrite event 1 and re-hash everything after it: a consistent chain, but not the one that was signed.
        var previous = AuditChain.GenesisHash;
        for (var sequence = 1L; sequence <= checkpoint!.Sequence; sequence++)
        {
            var e = await ReadAsync(sequence);
            var rewritten = Copy(e, sequence, sequence == 1 ? "rewritten" : e.Detail, previous);
            var hash = AuditChain.ComputeHash(rewritten);
            await database.ExecuteSqlAsync(
                "UPDATE AuditEvents SET Detail = {0}, PreviousHash = {1}, Hash = {2} WHERE Sequence = {3}",
                rewritten.Detail!, previous, hash, sequence);
            previous = hash;
        }

        var report = await audit.Verifier.VerifyAsync();

        Assert.Equal(ChainProblem.Edited, report.Problem);
        Assert.Equal(checkpoint.Sequence, report.BrokenAt);
    }

    [Fact]
    public async Task WriteCheckpoint_NothingNewSinceTheLastOne_WritesNothing()
    {
        await RecordManyAsync(2);
        var first = await audit.Checkpoints.WriteAsync();

        var second = await audit.Checkpoints.WriteAsync();

        Assert.NotNull(first);
        Assert.Null(second);
    }

    [Fact]
    public async Task WriteCheckpoint_IsRecordedAsASystemEventItCovers()
    {
        await RecordManyAsync(2);

        var checkpoint = await audit.Checkpoints.WriteAsync();

        var covered = await ReadAsync(checkpoint!.Sequence);
        Assert.Equal(AuditEventTypes.AuditCheckpointWritten, covered.Type);
        Assert.Equal(covered.Hash, checkpoint.EventHash);
        Assert.Equal(3, checkpoint.EventCount);
    }

    internal static AuditEntry Entry(string detail) =>
        new(AuditEventTypes.SignIn, AuditOutcome.Success, ActorId: "user-1", SubjectId: "user-1", IpAddress: "198.51.100.4", Detail: detail);

    private async Task RecordManyAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await database.AuditLog.RecordAsync(Entry($"event {i}"));
            database.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<AuditEvent> ReadAsync(long sequence)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == sequence);
    }

    private static AuditEvent Copy(AuditEvent e, long sequence, string? detail, string? previousHash = null) => new()
    {
        Sequence = sequence,
        OccurredAt = e.OccurredAt,
        Type = e.Type,
        Outcome = e.Outcome,
        ActorId = e.ActorId,
        SubjectId = e.SubjectId,
        IpPseudonym = e.IpPseudonym,
        UserAgent = e.UserAgent,
        Detail = detail,
        PreviousHash = previousHash ?? e.PreviousHash,
    };
}
