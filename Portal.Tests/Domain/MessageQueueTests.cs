using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class MessageQueueTests : IAsyncLifetime
{
    private const string Transport = "Test";

    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task DeliverAsync_ChannelSucceeds_MarksSentAtTheClockTime()
    {
        var channel = new ScriptedChannel();
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);
        database.Time.Advance(TimeSpan.FromMinutes(3));
        var deliveredAt = database.Time.GetUtcNow();

        var status = await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Sent, status);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Equal(deliveredAt, message.SentAt);
        Assert.Equal(Transport, message.Transport);
    }

    [Fact]
    public async Task DeliverAsync_RunConcurrently_SendsExactlyOnce()
    {
        var channel = new ScriptedChannel { Duration = TimeSpan.FromMilliseconds(50) };
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => queue.DeliverAsync(id, Transport, maxAttempts: 5))));

        Assert.Equal(1, channel.Calls);
        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Equal(1, message.Attempts);
    }

    [Fact]
    public async Task DeliverAsync_ChannelSucceeds_PassesTheQueuedMessageToTheChannel()
    {
        var channel = new ScriptedChannel();
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);

        await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var sent = Assert.Single(channel.Sent);
        Assert.Equal(id, sent.Id);
        Assert.Equal("alice@example.com", sent.Recipient);
        Assert.Equal("<p>Your code is 123456</p>", sent.HtmlBody);
    }

    [Fact]
    public async Task DeliverAsync_ChannelDoesNotKeepBody_ClearsTheBody()
    {
        var queue = Queue(new ScriptedChannel { KeepsBody = false });
        var id = await EnqueueAsync(queue);

        await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var message = await ReadAsync(id);
        Assert.Null(message.HtmlBody);
        Assert.Null(message.TextBody);
    }

    [Fact]
    public async Task DeliverAsync_ChannelKeepsBody_KeepsTheBody()
    {
        var queue = Queue(new ScriptedChannel { KeepsBody = true });
        var id = await EnqueueAsync(queue);

        await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var message = await ReadAsync(id);
        Assert.Equal("<p>Your code is 123456</p>", message.HtmlBody);
        Assert.Equal("Your code is 123456", message.TextBody);
    }

    [Fact]
    public async Task DeliverAsync_ChannelFails_RethrowsTheError()
    {
        var queue = Queue(new ScriptedChannel { FailuresBeforeSuccess = 1 });
        var id = await EnqueueAsync(queue);

        var error = await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(id, Transport, maxAttempts: 5));

        Assert.Equal("Connection refused (attempt 1)", error.Message);
    }

    [Fact]
    public async Task DeliverAsync_ChannelFails_RecordsAttemptAndLastErrorAndStaysPending()
    {
        var queue = Queue(new ScriptedChannel { FailuresBeforeSuccess = 1 });
        var id = await EnqueueAsync(queue);
        var attemptedAt = database.Time.GetUtcNow();

        await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(id, Transport, maxAttempts: 5));

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Pending, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal(attemptedAt, message.LastAttemptAt);
        Assert.Equal("IOException: Connection refused (attempt 1)", message.LastError);
        Assert.Null(message.SentAt);
    }

    [Fact]
    public async Task DeliverAsync_SucceedsAfterAFailure_ClearsLastError()
    {
        var queue = Queue(new ScriptedChannel { FailuresBeforeSuccess = 1 });
        var id = await EnqueueAsync(queue);
        await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(id, Transport, maxAttempts: 5));

        var status = await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Sent, status);
        Assert.Equal(2, message.Attempts);
        Assert.Null(message.LastError);
    }

    [Fact]
    public async Task DeliverAsync_LastAllowedAttemptFails_MarksFailedWithoutThrowing()
    {
        var queue = Queue(new ScriptedChannel { FailuresBeforeSuccess = int.MaxValue });
        var id = await EnqueueAsync(queue);
        await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(id, Transport, maxAttempts: 3));
        await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(id, Transport, maxAttempts: 3));

        var status = await queue.DeliverAsync(id, Transport, maxAttempts: 3);

        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Failed, status);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(3, message.Attempts);
        Assert.Equal("IOException: Connection refused (attempt 3)", message.LastError);
    }

    [Fact]
    public async Task DeliverAsync_FailedMessage_DoesNotCallTheChannelAgain()
    {
        var channel = new ScriptedChannel { FailuresBeforeSuccess = 1 };
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);
        await queue.DeliverAsync(id, Transport, maxAttempts: 1);

        var status = await queue.DeliverAsync(id, Transport, maxAttempts: 1);

        Assert.Equal(MessageStatus.Failed, status);
        Assert.Equal(1, channel.Calls);
    }

    [Fact]
    public async Task DeliverAsync_AlreadySent_DoesNotCallTheChannelAgain()
    {
        var channel = new ScriptedChannel();
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);
        await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        var status = await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        Assert.Equal(MessageStatus.Sent, status);
        Assert.Equal(1, channel.Calls);
        Assert.Equal(1, (await ReadAsync(id)).Attempts);
    }

    [Fact]
    public async Task DeliverAsync_UnknownTransport_ThrowsWithoutTouchingTheMessage()
    {
        var queue = Queue(new ScriptedChannel());
        var id = await EnqueueAsync(queue);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.DeliverAsync(id, "Pigeon", maxAttempts: 5));

        Assert.Contains("Pigeon", error.Message);
        Assert.Equal(0, (await ReadAsync(id)).Attempts);
    }

    [Fact]
    public async Task FindStrandedAsync_ReturnsOnlyOldPendingMessagesNeverAttempted()
    {
        var queue = Queue(new ScriptedChannel { FailuresBeforeSuccess = 1 });
        var stranded = await EnqueueAsync(queue);
        var attempted = await EnqueueAsync(queue);
        await Assert.ThrowsAsync<IOException>(() => queue.DeliverAsync(attempted, Transport, maxAttempts: 5));
        var sent = await EnqueueAsync(queue);
        await queue.DeliverAsync(sent, Transport, maxAttempts: 5);
        database.Time.Advance(TimeSpan.FromMinutes(10));
        await EnqueueAsync(queue);
        database.Time.Advance(TimeSpan.FromMinutes(1));

        var found = await queue.FindStrandedAsync(TimeSpan.FromMinutes(5));

        Assert.Equal([stranded], found);
    }

    [Fact]
    public async Task FindStrandedAsync_BeforeTheThresholdHasPassed_ReturnsNothing()
    {
        var queue = Queue(new ScriptedChannel());
        await EnqueueAsync(queue);
        database.Time.Advance(TimeSpan.FromMinutes(4));

        var found = await queue.FindStrandedAsync(TimeSpan.FromMinutes(5));

        Assert.Empty(found);
    }

    [Fact]
    public async Task DeliverAsync_WorkerDiedMidSend_IsTakenOverOnlyAfterTheLeaseRunsOut()
    {
        var channel = new ScriptedChannel();
        var queue = Queue(channel);
        var id = await EnqueueAsync(queue);
        var leaseEnd = database.Time.GetUtcNow().Add(MessageQueue.Lease).ToUnixTimeMilliseconds();
        // What a worker that claimed the message and then crashed leaves behind.
        await database.ExecuteSqlAsync(
            "UPDATE OutboundMessages SET Status = 'Sending', Attempts = 1, LeaseExpiresAt = {0} WHERE Id = {1}", leaseEnd, id);

        var duringLease = await queue.DeliverAsync(id, Transport, maxAttempts: 5);
        var strandedDuringLease = await queue.FindStrandedAsync(TimeSpan.FromMinutes(2));
        database.Time.Advance(MessageQueue.Lease + TimeSpan.FromSeconds(1));
        var strandedAfterLease = await queue.FindStrandedAsync(TimeSpan.FromMinutes(2));
        var afterLease = await queue.DeliverAsync(id, Transport, maxAttempts: 5);

        Assert.Equal(MessageStatus.Sending, duringLease);
        Assert.Empty(strandedDuringLease);
        Assert.Equal([id], strandedAfterLease);
        Assert.Equal(MessageStatus.Sent, afterLease);
        Assert.Equal(1, channel.Calls);
        Assert.Equal(2, (await ReadAsync(id)).Attempts);
    }

    private MessageQueue Queue(IMessageChannel channel) => new(database.Factory, [channel], database.Time);

    private static Task<Guid> EnqueueAsync(MessageQueue queue) =>
        queue.EnqueueEmailAsync("alice@example.com", "Your code", "<p>Your code is 123456</p>", "Your code is 123456");

    private async Task<OutboundMessage> ReadAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>A channel that fails a given number of times, then delivers; it counts its calls.</summary>
    private sealed class ScriptedChannel : IMessageChannel
    {
        public string Name => Transport;

        public MessageKind Kind => MessageKind.Email;

        public bool KeepsBody { get; init; }

        public int FailuresBeforeSuccess { get; init; }

        private int calls;

        public int Calls => calls;

        /// <summary>How long a send takes: long enough for concurrent deliveries to overlap.</summary>
        public TimeSpan Duration { get; init; }

        /// <summary>What each delivered message looked like when the channel got it (the queue clears bodies afterwards).</summary>
        public List<(Guid Id, string Recipient, string? HtmlBody)> Sent { get; } = [];

        public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref calls);
            await Task.Delay(Duration, cancellationToken);
            if (call <= FailuresBeforeSuccess)
            {
                throw new IOException($"Connection refused (attempt {call})");
            }
            lock (Sent)
            {
                Sent.Add((message.Id, message.Recipient, message.HtmlBody));
            }
        }
    }
}
