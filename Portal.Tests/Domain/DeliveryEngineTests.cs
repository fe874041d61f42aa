using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The claim, retry and fallback state machine, on a real SQLite file and a fake clock.</summary>
public sealed class DeliveryEngineTests : IAsyncLifetime
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Drain_ChannelSucceeds_MarksSentAndRecordsOneSentAttempt()
    {
        var channel = new ScriptedChannel();
        var id = await StageAsync(Email());
        database.Time.Advance(TimeSpan.FromMinutes(3));

        var result = await Engine(channel).DrainAsync();

        var message = await ReadAsync(id);
        Assert.Equal(1, result.Sent);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Equal(database.Time.GetUtcNow(), message.SentAt);
        Assert.Equal("Test", message.Transport);
        Assert.Null(message.ClaimToken);
        var attempt = Assert.Single(await AttemptsAsync(id));
        Assert.Equal((1, Channel.Email, "Test", DeliveryOutcomes.Sent, (string?)null), (attempt.Number, attempt.Channel, attempt.Provider, attempt.Outcome, attempt.Error));
    }

    [Fact]
    public async Task Drain_ChannelDoesNotKeepBody_ClearsTheBodies_AndTheChannelSawThem()
    {
        var channel = new ScriptedChannel { KeepsBody = false };
        var id = await StageAsync(Email());

        await Engine(channel).DrainAsync();

        var message = await ReadAsync(id);
        Assert.Null(message.HtmlBody);
        Assert.Null(message.TextBody);
        Assert.Equal(("alice@example.com", "Your code is 123456"), channel.Sent.Select(s => (s.Recipient, s.TextBody)).Single());
    }

    [Fact]
    public async Task Drain_ChannelKeepsBody_KeepsTheBody()
    {
        var id = await StageAsync(Email());

        await Engine(new ScriptedChannel { KeepsBody = true }).DrainAsync();

        Assert.Equal("Your code is 123456", (await ReadAsync(id)).TextBody);
    }

    [Fact]
    public async Task Drain_ChannelFails_RecordsTheAttemptAndSchedulesTheFirstRetryDelay()
    {
        var id = await StageAsync(Email());
        var failedAt = database.Time.GetUtcNow();

        var result = await Engine(new ScriptedChannel { FailuresBeforeSuccess = 1 }).DrainAsync();

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Pending, message.Status);
        Assert.Equal(failedAt + Delays[0], message.NextAttemptAt);
        Assert.Equal(failedAt + Delays[0], result.NextDueAt);
        Assert.Equal("Connection refused (attempt 1)", message.LastError);
        var attempt = Assert.Single(await AttemptsAsync(id));
        Assert.Equal(DeliveryOutcomes.Failed, attempt.Outcome);
        Assert.Equal("Connection refused (attempt 1)", attempt.Error);
    }

    [Fact]
    public async Task Drain_RetryNotYetDue_DoesNotSend_ThenSendsOnceDue()
    {
        var channel = new ScriptedChannel { FailuresBeforeSuccess = 1 };
        var engine = Engine(channel);
        var id = await StageAsync(Email());
        await engine.DrainAsync();

        database.Time.Advance(Delays[0] - TimeSpan.FromMilliseconds(1));
        await engine.DrainAsync();
        var callsBeforeDue = channel.Calls;
        database.Time.Advance(TimeSpan.FromMilliseconds(1));
        await engine.DrainAsync();

        Assert.Equal(1, callsBeforeDue);
        Assert.Equal(MessageStatus.Sent, (await ReadAsync(id)).Status);
        Assert.Equal([DeliveryOutcomes.Failed, DeliveryOutcomes.Sent], (await AttemptsAsync(id)).Select(a => a.Outcome));
    }

    [Fact]
    public async Task Drain_SmsGivesUp_TheSameMessageGoesByEmail()
    {
        var sms = new ScriptedChannel(Channel.Sms, "Gateway") { FailuresBeforeSuccess = int.MaxValue };
        var email = new ScriptedChannel(Channel.Email, "Smtp");
        var engine = Engine(sms, email);
        var id = await StageAsync(SmsWithEmailFallback());

        await DrainThroughRetriesAsync(engine);

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Equal(Channel.Email, message.CurrentKind);
        Assert.Equal("Smtp", message.Transport);
        Assert.Equal(Delays.Length + 1, sms.Calls);
        Assert.Equal(("bob@example.com", "Your code is 654321 (by email)"), email.Sent.Select(s => (s.Recipient, s.TextBody)).Single());
        var attempts = await AttemptsAsync(id);
        Assert.Equal([Channel.Sms, Channel.Sms, Channel.Sms, Channel.Email], attempts.Select(a => a.Channel));
        Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.Number));
    }

    [Fact]
    public async Task Drain_LastChannelGivesUp_MarksFailed()
    {
        var sms = new ScriptedChannel(Channel.Sms) { FailuresBeforeSuccess = int.MaxValue };
        var email = new ScriptedChannel(Channel.Email) { FailuresBeforeSuccess = int.MaxValue };
        var engine = Engine(sms, email);
        var id = await StageAsync(SmsWithEmailFallback());

        await DrainThroughRetriesAsync(engine);

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(2 * (Delays.Length + 1), (await AttemptsAsync(id)).Count);
        Assert.Null(await engine.NextDueAtAsync());
    }

    [Fact]
    public async Task Drain_FallbackOrderWithoutEmail_FailsWithoutTryingEmail()
    {
        var sms = new ScriptedChannel(Channel.Sms) { FailuresBeforeSuccess = int.MaxValue };
        var email = new ScriptedChannel(Channel.Email);
        var engine = Engine([sms, email], [Channel.Sms]);
        var id = await StageAsync(SmsWithEmailFallback());

        await DrainThroughRetriesAsync(engine);

        Assert.Equal(MessageStatus.Failed, (await ReadAsync(id)).Status);
        Assert.Equal(0, email.Calls);
    }

    [Fact]
    public async Task Drain_MessageWithoutFallbackRoute_FailsAfterItsOwnChannel()
    {
        var email = new ScriptedChannel(Channel.Email) { FailuresBeforeSuccess = int.MaxValue };
        var id = await StageAsync(Email());

        await DrainThroughRetriesAsync(Engine(email));

        Assert.Equal(MessageStatus.Failed, (await ReadAsync(id)).Status);
        Assert.Equal(Delays.Length + 1, email.Calls);
    }

    [Fact]
    public async Task Drain_TwoDrainsAtOnce_NeverSendAMessageTwice()
    {
        var channel = new ScriptedChannel { Duration = TimeSpan.FromMilliseconds(10) };
        var ids = new List<Guid>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add(await StageAsync(Email()));
        }
        // Each drain is its own engine, as on two workers or two nodes; small batches make them interleave.
        var drains = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Engine([channel], [Channel.Sms, Channel.Email], batchSize: 5).DrainAsync()));

        var results = await Task.WhenAll(drains);

        Assert.Equal(60, results.Sum(r => r.Sent));
        Assert.All(ids, id => Assert.Equal(1, channel.CallsPerMessage[id]));
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(60, await db.DeliveryAttempts.CountAsync());
    }

    [Fact]
    public async Task Drain_AlreadySent_DoesNotSendAgain()
    {
        var channel = new ScriptedChannel();
        var engine = Engine(channel);
        await StageAsync(Email());
        await engine.DrainAsync();

        var second = await engine.DrainAsync();

        Assert.Equal(0, second.Sent);
        Assert.Equal(1, channel.Calls);
    }

    [Fact]
    public async Task Drain_WorkerDiedMidSend_IsTakenOverOnlyAfterTheLeaseRunsOut()
    {
        var channel = new ScriptedChannel();
        var engine = Engine(channel);
        var id = await StageAsync(Email());
        var leaseEnd = Tessera.Domain.Persistence.Instants.ToMicroseconds(database.Time.GetUtcNow().AddMinutes(5));
        // What a drain that claimed the message and then crashed leaves behind.
        await database.ExecuteSqlAsync(
            "UPDATE OutboundMessages SET Status = 'Sending', ClaimToken = {0}, LeaseExpiresAt = {1} WHERE Id = {2}",
            Guid.NewGuid().ToString().ToUpperInvariant(), leaseEnd, id);

        await engine.DrainAsync();
        var callsDuringLease = channel.Calls;
        database.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1));
        await engine.DrainAsync();

        Assert.Equal(0, callsDuringLease);
        Assert.Equal(1, channel.Calls);
        Assert.Equal(MessageStatus.Sent, (await ReadAsync(id)).Status);
    }

    [Fact]
    public async Task Drain_NoChannelForTheKind_FallsBackToEmail()
    {
        var email = new ScriptedChannel(Channel.Email);
        var id = await StageAsync(SmsWithEmailFallback());

        await DrainThroughRetriesAsync(Engine(email));

        Assert.Equal(MessageStatus.Sent, (await ReadAsync(id)).Status);
        Assert.Contains("No sms provider", (await AttemptsAsync(id))[0].Error);
    }

    private async Task DrainThroughRetriesAsync(DeliveryEngine engine)
    {
        for (var i = 0; i < 20; i++)
        {
            var result = await engine.DrainAsync();
            if (result.NextDueAt is not { } next)
            {
                return;
            }
            database.Time.SetUtcNow(next > database.Time.GetUtcNow() ? next : database.Time.GetUtcNow());
        }
    }

    private DeliveryEngine Engine(params IMessageChannel[] channels) => Engine(channels, [Channel.Sms, Channel.Email]);

    private DeliveryEngine Engine(IMessageChannel[] channels, IReadOnlyList<Channel> fallbackOrder, int batchSize = 100) => new(
        database.Factory, channels, new FixedPolicies(fallbackOrder),
        Options.Create(new DeliveryOptions { RetryDelays = Delays, BatchSize = batchSize, MaxParallelSends = 4 }), database.Time);

    private static MessageDraft Email() =>
        new(Channel.Email, "alice@example.com", "Your code", "<p>Your code is 123456</p>", "Your code is 123456");

    private static MessageDraft SmsWithEmailFallback() => new(
        Channel.Sms, "+447700900123", "Code", null, "654321 is your code", "challenge:x",
        new MessageRoute(Channel.Email, "bob@example.com", "Your code", "<p>Your code is 654321</p>", "Your code is 654321 (by email)"));

    private async Task<Guid> StageAsync(MessageDraft draft)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var id = new MessageQueue(database.Factory, database.Time).Stage(db, draft);
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<OutboundMessage> ReadAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    private async Task<List<DeliveryAttempt>> AttemptsAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return (await db.DeliveryAttempts.AsNoTracking().Where(a => a.MessageId == id).ToListAsync()).OrderBy(a => a.Number).ToList();
    }

    private sealed class FixedPolicies(IReadOnlyList<Channel> fallbackOrder) : IPolicies
    {
        public ValueTask<PolicySet> CurrentAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new PolicySet { Delivery = new DeliveryPolicy { FallbackOrder = fallbackOrder } });
    }
}
