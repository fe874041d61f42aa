using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Staging, privacy at rest, and what admins and API callers can read back.</summary>
public sealed class MessageQueueTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private MessageQueue Queue => new(database.Factory, database.Time);

    [Fact]
    public async Task Stage_StoresRecipientAndBodiesEncrypted_AndAMaskedRecipient()
    {
        var id = await StageAsync(new MessageDraft(Channel.Sms, "+447700900123", "Code", null, "123456 is your code", "challenge:a",
            new MessageRoute(Channel.Email, "alice@example.com", "Code", "<p>123456</p>", "123456 by email")));

        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Recipient || TextBody || FallbackRecipient || FallbackTextBody || FallbackHtmlBody, MaskedRecipient FROM OutboundMessages";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var raw = reader.GetString(0);
        Assert.DoesNotContain("7700900123", raw);
        Assert.DoesNotContain("123456", raw);
        Assert.DoesNotContain("alice@", raw);
        Assert.Equal("+44 •••• ••• 123", reader.GetString(1).Replace("\u00a0", " "));
        Assert.Equal("+447700900123", await Queue.GetRecipientAsync(id));
        Assert.Equal("alice@example.com", await Queue.GetFallbackRecipientAsync(id, Channel.Email));
    }

    [Fact]
    public void Mask_Email_KeepsTheFirstLetterAndTheDomain()
    {
        Assert.Equal("a•••@example.com", Channel.Email.Mask("alice@example.com"));
    }

    [Fact]
    public async Task GetByReferenceAsync_ListsTheMessagesWithTheirAttempts()
    {
        var id = await StageAsync(new MessageDraft(Channel.Email, "alice@example.com", "Code", "<p>1</p>", "1", "challenge:b"));
        await Engine(new ScriptedChannel { FailuresBeforeSuccess = 1 }, TimeSpan.FromSeconds(1)).DrainAsync();
        await StageAsync(new MessageDraft(Channel.Email, "alice@example.com", "Other", "<p>2</p>", "2", "challenge:other"));
        database.Time.Advance(TimeSpan.FromSeconds(1));
        await Engine(new ScriptedChannel()).DrainAsync();

        var views = await Queue.GetByReferenceAsync("challenge:b");

        var view = Assert.Single(views);
        Assert.Equal(id, view.Id);
        Assert.Equal(MessageStatus.Sent, view.Status);
        Assert.Equal([(1, DeliveryOutcomes.Failed), (2, DeliveryOutcomes.Sent)], view.Attempts.Select(a => (a.Number, a.Outcome)));
    }

    [Fact]
    public async Task ListAsync_FiltersByStatusAndChannel_NewestFirst()
    {
        var first = await StageAsync(new MessageDraft(Channel.Email, "a@example.com", "S", null, "t"));
        var second = await StageAsync(new MessageDraft(Channel.Email, "b@example.com", "S", null, "t"));
        await StageAsync(new MessageDraft(Channel.Sms, "+447700900123", "S", null, "t"));

        var page = await Queue.ListAsync(MessageStatus.Pending, Channel.Email, 0, 10);

        Assert.Equal(2, page.Total);
        Assert.Equal([second, first], page.Rows.Select(r => r.Id));
        Assert.Equal("b•••@example.com", page.Rows[0].MaskedRecipient);
    }

    [Fact]
    public async Task RetryNowAsync_FailedMessage_IsDueAgainOnItsFirstChannel()
    {
        var id = await StageAsync(new MessageDraft(Channel.Email, "a@example.com", "S", null, "t"));
        await Engine(new ScriptedChannel { FailuresBeforeSuccess = 1 }).DrainAsync();
        Assert.Equal(MessageStatus.Failed, (await ReadAsync(id)).Status);
        var channel = new ScriptedChannel();

        var retried = await Queue.RetryNowAsync(id);
        var again = await Queue.RetryNowAsync(id);
        await Engine(channel).DrainAsync();

        Assert.True(retried);
        Assert.False(again);
        Assert.Equal(1, channel.Calls);
        var message = await ReadAsync(id);
        Assert.Equal(MessageStatus.Sent, message.Status);
        Assert.Equal(2, message.Attempts);
    }

    private DeliveryEngine Engine(IMessageChannel channel, params TimeSpan[] delays) => new(database.Factory, [channel], new FixedPolicies(),
        Options.Create(new DeliveryOptions { RetryDelays = delays }), database.Time);

    private async Task<Guid> StageAsync(MessageDraft draft)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var id = Queue.Stage(db, draft);
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<OutboundMessage> ReadAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }
}
