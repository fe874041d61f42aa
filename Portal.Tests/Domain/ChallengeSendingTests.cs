using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

/// <summary>How a challenge hands its message to Delivery: only when the limits allow it, and only after commit.</summary>
public sealed class ChallengeSendingTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task CreateAsync_RefusedByALimit_StoresAndQueuesNothing()
    {
        var trigger = new ChallengesTests.RecordingTrigger();
        var refusing = new RefusingLimiter(new SendDecision(false, "per-destination", TimeSpan.FromMinutes(5), "Too many codes to this number."));
        var challenges = new Challenges(database.Factory, database.Time, database.Secrets, database.AuditLog, new FixedPolicies(),
            new MessageQueue(database.Factory, database.Time), refusing, trigger, ChallengesTests.Texts);
        var codes = new List<string>();

        var refused = await Assert.ThrowsAsync<SendRefusedException>(() => challenges.CreateAsync(ChallengesTests.Request(codes)));

        Assert.Equal("per-destination", refused.Decision.Rule);
        Assert.Equal(Channel.Sms, refusing.Seen!.Channel);
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.OtpChallenges.CountAsync());
        Assert.Equal(0, await db.OutboundMessages.CountAsync());
        Assert.Empty(trigger.Queued);
        Assert.Empty(codes);
    }

    [Fact]
    public async Task CreateAsync_AfterCommit_TellsDeliveryAboutTheMessage()
    {
        var trigger = new ChallengesTests.RecordingTrigger();
        var challenges = new Challenges(database.Factory, database.Time, database.Secrets, database.AuditLog, new FixedPolicies(),
            new MessageQueue(database.Factory, database.Time), UnlimitedSendLimiter.Instance, trigger, ChallengesTests.Texts);

        var created = await challenges.CreateAsync(ChallengesTests.Request([]));

        Assert.Equal([created.MessageId], trigger.Queued);
        await using var db = await database.Factory.CreateDbContextAsync();
        var message = await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == created.MessageId);
        Assert.Equal($"challenge:{created.ChallengeId:N}", message.Reference);
    }

    private sealed class RefusingLimiter(SendDecision decision) : ISendLimiter
    {
        public SendAttempt? Seen { get; private set; }

        public Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default)
        {
            Seen = attempt;
            return Task.FromResult(decision);
        }
    }
}
