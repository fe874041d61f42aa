using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditLogTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    private AuditLog Log => database.AuditLog;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task RecordAsync_FirstEvent_ChainsOntoGenesisHash()
    {
        var first = await database.RecordAuditAsync(Entry("first"));

        Assert.Equal(1, first.Sequence);
        Assert.Equal(AuditChain.GenesisHash, first.PreviousHash);
    }

    [Fact]
    public async Task RecordAsync_NextEvent_ChainsOntoPreviousHash()
    {
        var first = await database.RecordAuditAsync(Entry("first"));

        var second = await database.RecordAuditAsync(Entry("second"));

        Assert.Equal(first.Sequence + 1, second.Sequence);
        Assert.Equal(first.Hash, second.PreviousHash);
    }

    [Fact]
    public async Task RecordAsync_StoredEvent_HashCoversItsFields()
    {
        var recorded = await database.RecordAuditAsync(Entry("stored"));

        var stored = await ReadAsync(recorded.Sequence);

        Assert.Equal(recorded.Hash, stored.Hash);
        Assert.Equal(AuditChain.ComputeHash(stored), stored.Hash);
    }

    [Fact]
    public async Task RecordAsync_UsesTheInjectedClock()
    {
        var now = database.Time.GetUtcNow();

        var recorded = await database.RecordAuditAsync(Entry("clock"));

        Assert.Equal(now, recorded.OccurredAt);
    }

    [Fact]
    public async Task RecordAsync_FiftyConcurrentCalls_TakeSequencesOneToFiftyWithoutGap()
    {
        await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Log.RecordAsync(Entry($"concurrent {i}"))));

        await using var db = await database.Factory.CreateDbContextAsync();
        var sequences = await db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task RecordAsync_RawIpAddress_IsNeverStored()
    {
        var recorded = await database.RecordAuditAsync(Entry("ip") with { IpAddress = "203.0.113.77" });

        var stored = await ReadAsync(recorded.Sequence);

        Assert.NotNull(stored.IpPseudonym);
        Assert.DoesNotContain("203.0.113.77", stored.IpPseudonym);
    }

    [Fact]
    public async Task RecentAsync_WithSubject_ReturnsOnlyThatSubjectsEventsNewestFirst()
    {
        await database.RecordAuditAsync(Entry("alice 1") with { SubjectId = "alice" });
        await database.RecordAuditAsync(Entry("bob 1") with { SubjectId = "bob" });
        await database.RecordAuditAsync(Entry("alice 2") with { SubjectId = "alice" });

        var recent = await Log.RecentAsync(10, subjectId: "alice");

        Assert.Equal(["alice 2", "alice 1"], recent.Select(e => e.Detail));
    }

    private static AuditEntry Entry(string detail) =>
        new(AuditEventTypes.SignIn, AuditOutcome.Success, ActorId: "user-1", SubjectId: "user-1",
            IpAddress: "198.51.100.4", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            Detail: detail);

    private async Task<AuditEvent> ReadAsync(long sequence)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == sequence);
    }
}
