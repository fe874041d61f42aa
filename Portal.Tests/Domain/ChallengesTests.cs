using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class ChallengesTests : IAsyncLifetime
{
    internal static readonly ChallengeBinding Ada = ChallengeBinding.ForUser("user-ada");

    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(10)]
    public async Task CreateAsync_CodeLengthPolicy_SendsThatManyDigits(int length)
    {
        var (challenges, codes) = Create(o => o with { CodeLength = length });

        await challenges.CreateAsync(Request(codes));

        var code = Assert.Single(codes);
        Assert.Equal(length, code.Length);
        Assert.True(code.All(char.IsAsciiDigit));
    }

    [Fact]
    public async Task CreateAsync_Always_StoresOnlyAKeyedHashOfTheCode()
    {
        var (challenges, codes) = Create();

        var created = await challenges.CreateAsync(Request(codes));

        await using var db = await database.Factory.CreateDbContextAsync();
        var row = await db.OtpChallenges.AsNoTracking().SingleAsync(c => c.Id == created.ChallengeId);
        Assert.Equal(32, row.CodeHash.Length);
        Assert.DoesNotContain("+15551234567", row.DestinationHash);
        var raw = await RawRowAsync(created.ChallengeId);
        Assert.DoesNotContain(codes[0], raw);
        Assert.DoesNotContain("+15551234567", raw);
    }

    [Fact]
    public async Task CreateAsync_Always_QueuesTheMessageWithTheChallenge()
    {
        var (challenges, codes) = Create();

        var created = await challenges.CreateAsync(Request(codes));

        await using var db = await database.Factory.CreateDbContextAsync();
        var message = await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == created.MessageId);
        var challenge = await db.OtpChallenges.AsNoTracking().SingleAsync(c => c.Id == created.ChallengeId);
        Assert.Equal(Channel.Sms, message.Kind);
        Assert.Equal("+15551234567", message.Recipient);
        Assert.Contains(codes[0], message.TextBody);
        Assert.Equal(created.MessageId, challenge.MessageId);
        Assert.Equal(database.Time.GetUtcNow().AddMinutes(10), created.ExpiresAt);
    }

    [Fact]
    public async Task CreateAsync_MessageInsertFails_StoresNoChallenge()
    {
        var (challenges, codes) = Create();
        await database.ExecuteSqlAsync("CREATE TRIGGER refuse_messages BEFORE INSERT ON OutboundMessages BEGIN SELECT RAISE(ABORT, 'refused'); END;");

        await Assert.ThrowsAsync<DbUpdateException>(() => challenges.CreateAsync(Request(codes)));

        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.OtpChallenges.CountAsync());
    }

    [Fact]
    public async Task CheckAsync_RightCode_ApprovesOnce()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));

        var first = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);
        var second = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);

        Assert.Equal(ChallengeStatus.Approved, first!.Status);
        Assert.Equal(4, first.AttemptsLeft);
        Assert.Equal(ChallengeStatus.Expired, second!.Status);
        Assert.True(second.AlreadyUsed);
        Assert.Equal(ChallengeStatus.Approved, (await challenges.GetAsync(created.ChallengeId, Ada))!.Status);
    }

    [Fact]
    public async Task CheckAsync_FiftyConcurrentRightCodes_ApprovesExactlyOnce()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => challenges.CheckAsync(created.ChallengeId, codes[0], Ada))));

        Assert.Equal(1, results.Count(r => r!.Status == ChallengeStatus.Approved));
    }

    [Fact]
    public async Task CheckAsync_WrongCode_CountsTheCheck()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));

        var result = await challenges.CheckAsync(created.ChallengeId, Wrong(codes[0]), Ada);

        Assert.Equal(ChallengeStatus.Pending, result!.Status);
        Assert.Equal(4, result.AttemptsLeft);
    }

    [Fact]
    public async Task CheckAsync_SixthCheckWithRightCode_IsRefusedAsMaxAttemptsReached()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        CheckResult? fifth = null;
        for (var i = 0; i < 5; i++)
        {
            fifth = await challenges.CheckAsync(created.ChallengeId, Wrong(codes[0]), Ada);
        }

        var sixth = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);

        Assert.Equal(ChallengeStatus.MaxAttemptsReached, fifth!.Status);
        Assert.Equal(ChallengeStatus.MaxAttemptsReached, sixth!.Status);
        Assert.Equal(0, sixth.AttemptsLeft);
    }

    [Fact]
    public async Task CheckAsync_AfterTheLifetime_IsRefusedAsExpired()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        database.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        var result = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);

        Assert.Equal(ChallengeStatus.Expired, result!.Status);
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(ChallengeStatus.Expired, (await db.OtpChallenges.AsNoTracking().SingleAsync()).Status);
    }

    [Theory]
    [InlineData("user-bob", null)]
    [InlineData(null, "client-1")]
    [InlineData("user-ada", "client-1")]
    public async Task CheckAsync_OtherBinding_IsNotFound(string? userId, string? clientId)
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));

        var result = await challenges.CheckAsync(created.ChallengeId, codes[0], new ChallengeBinding(userId, clientId));

        Assert.Null(result);
        Assert.Equal(5, (await challenges.GetAsync(created.ChallengeId, Ada))!.AttemptsLeft);
    }

    [Fact]
    public async Task CheckAsync_AfterCancel_IsNotApproved()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));

        var canceled = await challenges.CancelAsync(created.ChallengeId, Ada);
        var result = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);

        Assert.True(canceled);
        Assert.Equal(ChallengeStatus.Canceled, result!.Status);
    }

    [Fact]
    public async Task ResendAsync_WithinTheCooldown_IsRefusedWithTheWait()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        database.Time.Advance(TimeSpan.FromSeconds(10));

        var result = await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));

        Assert.Equal(ResendOutcome.Cooldown, result!.Outcome);
        Assert.Equal(20, result.RetryAfterSeconds);
        Assert.Single(codes);
    }

    [Fact]
    public async Task ResendAsync_AfterTheCooldown_ReplacesTheCodeAndKeepsTheChecks()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        await challenges.CheckAsync(created.ChallengeId, Wrong(codes[0]), Ada);
        database.Time.Advance(TimeSpan.FromSeconds(30));

        var resent = await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));
        var old = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);
        var fresh = await challenges.CheckAsync(created.ChallengeId, codes[1], Ada);

        Assert.Equal(ResendOutcome.Sent, resent!.Outcome);
        Assert.NotEqual(created.MessageId, resent.MessageId);
        Assert.Equal(ChallengeStatus.Pending, old!.Status);
        Assert.Equal(3, old.AttemptsLeft);
        Assert.Equal(ChallengeStatus.Approved, fresh!.Status);
        Assert.Equal(2, fresh.AttemptsLeft);
    }

    [Fact]
    public async Task ResendAsync_AfterTheCooldown_QueuesANewMessageToTheSameRecipient()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        database.Time.Advance(TimeSpan.FromSeconds(30));

        var resent = await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));

        await using var db = await database.Factory.CreateDbContextAsync();
        var message = await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == resent!.MessageId);
        Assert.Equal("+15551234567", message.Recipient);
        Assert.Contains(codes[1], message.TextBody);
        Assert.Equal(resent!.MessageId, (await challenges.GetAsync(created.ChallengeId, Ada))!.MessageId);
    }

    [Fact]
    public async Task ResendAsync_SixthSend_IsRefused()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        for (var i = 0; i < 4; i++)
        {
            database.Time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(ResendOutcome.Sent, (await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes)))!.Outcome);
        }
        database.Time.Advance(TimeSpan.FromSeconds(30));

        var sixth = await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));

        Assert.Equal(ResendOutcome.SendLimitReached, sixth!.Outcome);
        Assert.Equal(5, codes.Count);
    }

    [Fact]
    public async Task ResendAsync_Concurrent_LeavesOneLiveCode()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        database.Time.Advance(TimeSpan.FromSeconds(30));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes)))));

        Assert.Equal(1, results.Count(r => r!.Outcome == ResendOutcome.Sent));
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(2, await db.OutboundMessages.CountAsync());
    }

    [Fact]
    public async Task AuditLog_AfterCreateCheckAndResend_NeverContainsACode()
    {
        var (challenges, codes) = Create();
        var created = await challenges.CreateAsync(Request(codes));
        await challenges.CheckAsync(created.ChallengeId, Wrong(codes[0]), Ada);
        database.Time.Advance(TimeSpan.FromSeconds(30));
        await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));
        await challenges.CheckAsync(created.ChallengeId, codes[1], Ada);

        var events = await database.AuditLog.RecentAsync(50);

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.All(codes, code => Assert.DoesNotContain(code, e.Detail ?? "")));
    }

    internal static readonly ChallengeTexts Texts = new(new ChallengeTextSettings("Tessera", "tessera.test"));

    private (Challenges Challenges, List<string> Codes) Create(Func<OtpPolicy, OtpPolicy>? configure = null)
    {
        var otp = new OtpPolicy();
        var policies = new FixedPolicies(new PolicySet { Otp = configure?.Invoke(otp) ?? otp });
        var messages = new MessageQueue(database.Factory, database.Time);
        return (new Challenges(database.Factory, database.Time, database.Secrets, database.AuditLog, policies,
            messages, UnlimitedSendLimiter.Instance, new RecordingTrigger(), Texts), []);
    }

    internal static ChallengeRequest Request(List<string> codes) =>
        new("sign-in", Ada, Channel.Sms, "+15551234567", "+1 ••• ••• 4567", Compose(codes));

    /// <summary>Captures each sent code, as a phone would receive it.</summary>
    private static Func<string, (string Subject, string Text)> Compose(List<string> codes) => code =>
    {
        lock (codes)
        {
            codes.Add(code);
        }
        return ("Your code", $"Your Tessera code is {code}");
    };

    private static string Wrong(string code) => code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

    /// <summary>The text and blob columns of the row, read with SQL behind EF's back.</summary>
    private async Task<string> RawRowAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM OtpChallenges";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new List<string>();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                // Text and blobs only: the Unix-millisecond columns are long numbers that may contain any six digits.
                switch (reader.GetValue(i))
                {
                    case byte[] bytes:
                        text.Add(System.Text.Encoding.Latin1.GetString(bytes));
                        break;
                    case string value:
                        text.Add(value);
                        break;
                }
            }
        }
        Assert.NotEmpty(text);
        return string.Join("|", text);
    }

    internal sealed class RecordingTrigger : IDeliveryTrigger
    {
        public List<Guid> Queued { get; } = [];

        void IDeliveryTrigger.Queued(Guid messageId) => Queued.Add(messageId);
    }
}
