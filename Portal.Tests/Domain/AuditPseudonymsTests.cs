using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Domain.Activity;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The audit log names users by a pseudonym under a per-user secret; shredding the secret anonymises their events.</summary>
public sealed class AuditPseudonymsTests : IAsyncLifetime
{
    private static readonly string Ada = Guid.NewGuid().ToString();
    private static readonly string Bob = Guid.NewGuid().ToString();

    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Record_AboutAUser_StoresAPseudonym_NeverTheUserId()
    {
        var recorded = await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, Ada, Ada));

        await using var db = await database.Factory.CreateDbContextAsync();
        var stored = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == recorded.Sequence);
        Assert.StartsWith(AuditPseudonyms.Prefix, stored.SubjectId);
        Assert.Equal(stored.SubjectId, stored.ActorId);
        Assert.DoesNotContain(Ada, stored.SubjectId);
        Assert.False(await db.AuditEvents.AnyAsync(e => e.ActorId == Ada || e.SubjectId == Ada));
    }

    [Fact]
    public async Task TwoUsers_GetDifferentPseudonyms_AndEachKeepsTheirs()
    {
        var ada = await database.Subjects.ForWritingAsync(Ada);
        var bob = await database.Subjects.ForWritingAsync(Bob);
        // Another node, with nothing in its memory, names Ada the same way.
        var otherNode = new AuditPseudonyms(database.Factory, database.Time);

        Assert.NotEqual(ada, bob);
        Assert.Equal(ada, await otherNode.ForWritingAsync(Ada));
        Assert.Equal(ada, await otherNode.ForSearchingAsync(Ada));
    }

    [Fact]
    public async Task IdsThatAreNotUsers_AreStoredAsTheyAre()
    {
        Assert.Equal("api-client-7", await database.Subjects.ForWritingAsync("api-client-7"));
        Assert.Null(await database.Subjects.ForWritingAsync(null));
    }

    [Fact]
    public async Task TheFeed_FindsAUsersEvents_ThroughTheirPseudonym()
    {
        await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.PasswordChanged, AuditOutcome.Success, Ada, Ada));
        await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.PasswordChanged, AuditOutcome.Success, Bob, Bob));

        var feed = await new ActivityFeed(database.Factory, database.Subjects).RecentAsync(Ada, ActivityVoice.You, 10);

        Assert.Equal("You changed your password", Assert.Single(feed).Line.Sentence);
    }

    [Fact]
    public async Task Shred_LeavesTheEventsAndAVerifyingChain_ButTheyNameNobody()
    {
        await database.RecordAuditAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, Ada, Ada));
        var pseudonym = await database.Subjects.ForSearchingAsync(Ada);
        Assert.Equal(Ada, (await database.Subjects.UserIdsAsync([pseudonym]))[pseudonym]);

        await database.Subjects.ShredAsync(Ada);

        Assert.Empty(await database.Subjects.UserIdsAsync([pseudonym]));
        Assert.Empty(await new ActivityFeed(database.Factory, database.Subjects).RecentAsync(Ada, ActivityVoice.You, 10));
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.SubjectId == pseudonym));
        Assert.False(await db.AuditSubjectKeys.AnyAsync(k => k.UserId == Ada));
        Assert.True((await new AuditServices(database).Verifier.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Migration_RewritesRawUserIds_ReHashesTheChain_AndReSignsCheckpoints()
    {
        var audit = new AuditServices(database);
        await InsertRawAsync((Ada, Ada), ("api-client-7", Bob), (null, null));
        var checkpoint = await audit.Checkpoints.WriteAsync();
        Assert.NotNull(checkpoint);
        await InsertRawAsync((Bob, Bob));

        var rewritten = await Migration(audit).RunAsync();

        Assert.True(rewritten >= 4);
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.ActorId == Ada || e.SubjectId == Ada || e.ActorId == Bob || e.SubjectId == Bob));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.ActorId == "api-client-7"));
        var report = await audit.Verifier.VerifyAsync();
        Assert.True(report.Intact, report.Message);
        Assert.All(await audit.Checkpoints.ListAsync(), c => Assert.True(audit.Checkpoints.IsAuthenticAsync(c).Result));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.AuditSubjectsPseudonymised));
        // Done once: a second start finds nothing to do.
        Assert.Equal(0, await Migration(audit).RunAsync());
    }

    [Fact]
    public async Task Migration_OnABrokenChain_RewritesNothing()
    {
        var audit = new AuditServices(database);
        await InsertRawAsync((Ada, Ada), (Bob, Bob));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            await db.AuditEvents.Where(e => e.Sequence == 1).ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, "edited"));
        }

        Assert.Equal(0, await Migration(audit).RunAsync());

        await using var check = await database.Factory.CreateDbContextAsync();
        Assert.Equal(2, await check.AuditEvents.CountAsync(e => e.SubjectId == Ada || e.SubjectId == Bob));
    }

    private AuditSubjectMigration Migration(AuditServices audit) =>
        new(database.Factory, database.Subjects, audit.Verifier, audit.Checkpoints, database.AuditLog, NullLogger<AuditSubjectMigration>.Instance);

    /// <summary>Events as the log wrote them before pseudonyms: raw user ids, chained.</summary>
    private async Task InsertRawAsync(params (string? Actor, string? Subject)[] events)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var last = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstOrDefaultAsync();
        var (sequence, previous) = (last?.Sequence ?? 0, last?.Hash ?? AuditChain.GenesisHash);
        foreach (var (actor, subject) in events)
        {
            var e = new AuditEvent
            {
                Sequence = ++sequence,
                OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(database.Time.GetUtcNow().ToUnixTimeMilliseconds()),
                Type = AuditEventTypes.SignIn,
                Outcome = AuditOutcome.Success,
                ActorId = actor,
                SubjectId = subject,
                Detail = "with password",
                PreviousHash = previous,
            };
            e.Hash = AuditChain.ComputeHash(e);
            previous = e.Hash;
            db.AuditEvents.Add(e);
        }
        await db.SaveChangesAsync();
    }
}
