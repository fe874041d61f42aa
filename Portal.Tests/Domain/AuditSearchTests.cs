using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditSearchTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase database = null!;
    private AuditSearch search = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        search = new AuditSearch(database.Factory, database.Pseudonymizer, database.Subjects);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task SearchAsync_NoFilter_ReturnsNewestFirstWithTotal()
    {
        await RecordMinutelyAsync(5);

        var page = await search.SearchAsync(new AuditFilter(), 0, 10);

        Assert.Equal([5L, 4, 3, 2, 1], page.Items.Select(e => e.Sequence));
        Assert.Equal(5, page.TotalCount);
    }

    [Fact]
    public async Task SearchAsync_OldestFirst_ReturnsAscendingSequence()
    {
        await RecordMinutelyAsync(3);

        var page = await search.SearchAsync(new AuditFilter(), 0, 10, newestFirst: false);

        Assert.Equal([1L, 2, 3], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_SecondPage_SkipsTheFirstAndKeepsTheTotal()
    {
        await RecordMinutelyAsync(7);

        var page = await search.SearchAsync(new AuditFilter(), 1, 3);

        Assert.Equal([4L, 3, 2], page.Items.Select(e => e.Sequence));
        Assert.Equal(7, page.TotalCount);
    }

    [Fact]
    public async Task SearchAsync_TimeRange_ReturnsFromInclusiveToExclusive()
    {
        await RecordMinutelyAsync(6);

        var page = await search.SearchAsync(new AuditFilter(From: Start.AddMinutes(1), To: Start.AddMinutes(4)), 0, 10);

        Assert.Equal([4L, 3, 2], page.Items.Select(e => e.Sequence));
        Assert.Equal(3, page.TotalCount);
    }

    [Fact]
    public async Task SearchAsync_BoundsBetweenEvents_RoundToTheEventsInside()
    {
        await RecordMinutelyAsync(6);

        var page = await search.SearchAsync(new AuditFilter(From: Start.AddSeconds(90), To: Start.AddSeconds(150)), 0, 10);

        Assert.Equal([3L], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_FromAfterTheLastEvent_ReturnsNothing()
    {
        await RecordMinutelyAsync(3);

        var page = await search.SearchAsync(new AuditFilter(From: Start.AddHours(1)), 0, 10);

        Assert.Empty(page.Items);
        Assert.Equal(0, page.TotalCount);
    }

    [Fact]
    public async Task SearchAsync_RowsMissingInTheMiddle_StillFindsTheTimeBound()
    {
        await RecordMinutelyAsync(9);
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence BETWEEN 3 AND 6");

        var page = await search.SearchAsync(new AuditFilter(From: Start.AddMinutes(3)), 0, 10);

        Assert.Equal([9L, 8, 7], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_Type_ReturnsOnlyThatType()
    {
        await RecordAsync(AuditEventTypes.SignIn);
        await RecordAsync(AuditEventTypes.LockedOut);
        await RecordAsync(AuditEventTypes.SignIn);

        var page = await search.SearchAsync(new AuditFilter(Type: AuditEventTypes.LockedOut), 0, 10);

        Assert.Equal([2L], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_Subject_ReturnsOnlyThatSubject()
    {
        await RecordAsync(subject: "alice");
        await RecordAsync(subject: "bob");
        await RecordAsync(subject: "alice");

        var page = await search.SearchAsync(new AuditFilter(SubjectId: "alice"), 0, 10);

        Assert.Equal([3L, 1], page.Items.Select(e => e.Sequence));
        Assert.Equal(2, page.TotalCount);
    }

    [Fact]
    public async Task SearchAsync_Outcome_ReturnsOnlyThatOutcome()
    {
        await RecordAsync(outcome: AuditOutcome.Success);
        await RecordAsync(outcome: AuditOutcome.Failure);

        var page = await search.SearchAsync(new AuditFilter(Outcome: AuditOutcome.Failure), 0, 10);

        Assert.Equal([2L], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_IpAddress_MatchesItsPseudonym()
    {
        await RecordAsync(ip: "203.0.113.7");
        await RecordAsync(ip: "198.51.100.4");

        var page = await search.SearchAsync(new AuditFilter(IpAddress: "203.0.113.7"), 0, 10);

        Assert.Equal([1L], page.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task SearchAsync_IpAddressWrittenAsMappedIpv6_MatchesTheIpv4Events()
    {
        await RecordAsync(ip: "203.0.113.7");

        var page = await search.SearchAsync(new AuditFilter(IpAddress: "::ffff:203.0.113.7"), 0, 10);

        Assert.Single(page.Items);
    }

    [Fact]
    public async Task SearchAsync_SubjectAndTimeRange_ReturnsOnlyEventsMatchingBoth()
    {
        for (var i = 0; i < 8; i++)
        {
            await RecordAsync(subject: i % 2 == 0 ? "alice" : "bob");
            database.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var page = await search.SearchAsync(new AuditFilter(From: Start.AddMinutes(2), To: Start.AddMinutes(6), SubjectId: "alice"), 0, 10);

        Assert.Equal([5L, 3], page.Items.Select(e => e.Sequence));
        Assert.Equal(2, page.TotalCount);
    }

    [Fact]
    public async Task StreamAsync_MoreThanOneBatch_ReturnsEveryMatchInOrder()
    {
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            // Written straight in: 2,500 events through the chain would make the test slow for nothing it checks.
            db.AuditEvents.AddRange(Enumerable.Range(1, 2500).Select(i => new AuditEvent
            {
                Sequence = i, OccurredAt = Start.AddSeconds(i), Type = AuditEventTypes.SignIn, Outcome = AuditOutcome.Success,
                SubjectId = i % 2 == 0 ? "alice" : "bob", PreviousHash = AuditChain.GenesisHash,
            }));
            await db.SaveChangesAsync();
        }

        var streamed = new List<long>();
        await foreach (var e in search.StreamAsync(new AuditFilter(SubjectId: "alice")))
        {
            streamed.Add(e.Sequence);
        }

        Assert.Equal(Enumerable.Range(1, 1250).Select(i => 2502L - 2 * i), streamed);
    }

    private async Task RecordMinutelyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await RecordAsync();
            database.Time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    private Task<AuditEvent> RecordAsync(
        string type = AuditEventTypes.SignIn, string subject = "user-1", AuditOutcome outcome = AuditOutcome.Success, string? ip = null) =>
        database.RecordAuditAsync(new AuditEntry(type, outcome, ActorId: subject, SubjectId: subject, IpAddress: ip));
}
