using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Contacts;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Domain.Retention;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Retention on a fake clock: each table's finished rows go after their period, nothing pending ever does.</summary>
public sealed class DataRetentionTests : IAsyncLifetime
{
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private DateTimeOffset Now => database.Time.GetUtcNow();

    private DataRetention Retention() =>
        new(database.Factory, database.Time, Options.Create(new RetentionOptions()), database.AuditLog);

    [Fact]
    public async Task Challenges_ClosedLongerThan30Days_GoWithTheirSentMessagesAndAttempts_YoungerOnesStay()
    {
        var old = await ChallengeAsync(expired: TimeSpan.FromDays(31), MessageStatus.Sent);
        var young = await ChallengeAsync(expired: TimeSpan.FromDays(29), MessageStatus.Sent);
        var stuck = await ChallengeAsync(expired: TimeSpan.FromDays(40), MessageStatus.Pending);

        var report = await Retention().ApplyAsync();

        await using var db = await database.Factory.CreateDbContextAsync();
        // The long-expired challenge goes even when its message is stuck: its code can no longer be used.
        Assert.Equal(young, Assert.Single(await db.OtpChallenges.Select(c => c.Id).ToListAsync()));
        var references = await db.OutboundMessages.Select(m => m.Reference).ToListAsync();
        Assert.DoesNotContain($"challenge:{old:N}", references);
        Assert.Contains($"challenge:{young:N}", references);
        // A message still waiting to go out is never deleted, however old its challenge: nothing queued is lost.
        Assert.Contains($"challenge:{stuck:N}", references);
        Assert.Equal(2, await db.DeliveryAttempts.CountAsync());
        Assert.Equal((2, 1, 1), (report.Challenges, report.Messages, report.Attempts));
    }

    [Fact]
    public async Task AccountEmails_SentOrGivenUpLongerThan30DaysAgo_Go_PendingOnesNever()
    {
        var sentLongAgo = await MessageAsync(MessageStatus.Sent, age: TimeSpan.FromDays(31));
        var failedRecently = await MessageAsync(MessageStatus.Failed, age: TimeSpan.FromDays(10));
        var pendingForever = await MessageAsync(MessageStatus.Pending, age: TimeSpan.FromDays(100));

        var report = await Retention().ApplyAsync();

        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal(new[] { failedRecently, pendingForever }.Order(), (await db.OutboundMessages.Select(m => m.Id).ToListAsync()).Order());
        Assert.DoesNotContain(await db.DeliveryAttempts.Select(a => a.MessageId).ToListAsync(), id => id == sentLongAgo);
        Assert.Equal(1, report.Messages);
    }

    [Fact]
    public async Task QrSessions_After7Days_AndSendCounters_AfterTheirWindow_Go()
    {
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            db.QrSignInSessions.Add(Qr(expired: TimeSpan.FromDays(8)));
            db.QrSignInSessions.Add(Qr(expired: TimeSpan.FromDays(6)));
            db.SendCounters.Add(new SendCounter { Rule = "dest", Subject = "old", WindowStart = Now.AddHours(-2), WindowEnd = Now.AddHours(-1), Count = 3 });
            db.SendCounters.Add(new SendCounter { Rule = "dest", Subject = "live", WindowStart = Now.AddMinutes(-10), WindowEnd = Now.AddMinutes(50), Count = 1 });
            await db.SaveChangesAsync();
        }

        var report = await Retention().ApplyAsync();

        await using var check = await database.Factory.CreateDbContextAsync();
        Assert.Equal(1, await check.QrSignInSessions.CountAsync());
        Assert.Equal("live", Assert.Single(await check.SendCounters.ToListAsync()).Subject);
        Assert.Equal((1, 1), (report.QrSessions, report.SendCounters));
    }

    [Fact]
    public async Task FailureBudgets_QuietForADayAndNotLocked_Go_LockedOrRecentOnesStay()
    {
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            foreach (var id in new[] { "quiet", "recent", "locked", "old-row" })
            {
                db.Users.Add(new Tessera.Domain.Accounts.ApplicationUser { Id = id, UserName = id, SecurityStamp = "s" });
            }
            db.FailureBudgets.AddRange(
                new Tessera.Domain.Accounts.FailureBudget { UserId = "quiet", Network = "198.51.100.0/24", Failures = 3, LastFailureAt = Now.AddHours(-25) },
                new Tessera.Domain.Accounts.FailureBudget { UserId = "recent", Network = "198.51.100.0/24", Failures = 3, LastFailureAt = Now.AddHours(-2) },
                new Tessera.Domain.Accounts.FailureBudget { UserId = "locked", Network = "198.51.100.0/24", Failures = 5, LastFailureAt = Now.AddDays(-3), LockedUntil = Now.AddMinutes(5) },
                new Tessera.Domain.Accounts.FailureBudget { UserId = "old-row", Network = "*", Failures = 1 });
            await db.SaveChangesAsync();
        }

        var report = await Retention().ApplyAsync();

        await using var check = await database.Factory.CreateDbContextAsync();
        Assert.Equal(["locked", "recent"], (await check.FailureBudgets.Select(b => b.UserId).ToListAsync()).Order());
        Assert.Equal(2, report.FailureBudgets);
    }

    [Fact]
    public async Task AWrongPassword_StampsItsBudget_SoRetentionCanAgeIt()
    {
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            db.Users.Add(new Tessera.Domain.Accounts.ApplicationUser { Id = "guessed", UserName = "guessed", SecurityStamp = "s" });
            await db.SaveChangesAsync();
        }
        var attempts = new Tessera.Domain.Accounts.FailedAttempts(database.Factory, database.Time,
            Options.Create(new Microsoft.AspNetCore.Identity.IdentityOptions()), new Tessera.Domain.Accounts.FailureLimits());

        await attempts.ReserveAsync("guessed", "203.0.113.0/24");

        await using var check = await database.Factory.CreateDbContextAsync();
        Assert.Equal(Tessera.Domain.Persistence.Instants.Truncate(Now), Assert.Single(await check.FailureBudgets.ToListAsync()).LastFailureAt);
    }

    [Fact]
    public async Task ARun_InSmallBatches_DeletesEverything_IsAudited_AndTheNextRunFindsNothing()
    {
        for (var i = 0; i < 7; i++)
        {
            await ChallengeAsync(expired: TimeSpan.FromDays(45), MessageStatus.Sent);
        }

        var first = await Retention().ApplyAsync(batchSize: 3);
        var second = await Retention().ApplyAsync();

        Assert.Equal(7, first.Challenges);
        Assert.Equal(0, second.Total);
        var audited = Assert.Single(await database.AuditLog.RecentAsync(10), e => e.Type == AuditEventTypes.DataRetentionApplied);
        Assert.Contains("challenges=7", audited.Detail);
    }

    private async Task<Guid> ChallengeAsync(TimeSpan expired, MessageStatus messageStatus)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var challenge = new OtpChallenge
        {
            Purpose = "sign-in", Channel = Channel.Sms, DestinationHash = Guid.NewGuid().ToString("N"), MaskedDestination = "+44 •••• ••• 123",
            CodeHash = [1, 2, 3], CreatedAt = Now - expired - TimeSpan.FromMinutes(10), ExpiresAt = Now - expired,
        };
        db.OtpChallenges.Add(challenge);
        var message = Message(messageStatus, Now - expired - TimeSpan.FromMinutes(9), $"challenge:{challenge.Id:N}");
        db.OutboundMessages.Add(message);
        db.DeliveryAttempts.Add(Attempt(message));
        await db.SaveChangesAsync();
        return challenge.Id;
    }

    private async Task<Guid> MessageAsync(MessageStatus status, TimeSpan age)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var message = Message(status, Now - age, reference: null);
        db.OutboundMessages.Add(message);
        db.DeliveryAttempts.Add(Attempt(message));
        await db.SaveChangesAsync();
        return message.Id;
    }

    internal static OutboundMessage Message(MessageStatus status, DateTimeOffset at, string? reference) => new()
    {
        Kind = Channel.Email, CurrentKind = Channel.Email, Recipient = "ada@example.com", MaskedRecipient = "a•••@example.com",
        Subject = "Your code", TextBody = "Your code is 123456", Reference = reference, Status = status,
        CreatedAt = at, NextAttemptAt = at, LastAttemptAt = status == MessageStatus.Pending ? null : at,
        SentAt = status == MessageStatus.Sent ? at : null,
    };

    internal static DeliveryAttempt Attempt(OutboundMessage message) => new()
    {
        MessageId = message.Id, Number = 1, At = message.CreatedAt, Channel = message.Kind, Provider = "smtp", Outcome = DeliveryOutcomes.Sent,
    };

    private QrSignInSession Qr(TimeSpan expired) => new()
    {
        TokenHash = Guid.NewGuid().ToByteArray(), BrowserNonceHash = Guid.NewGuid().ToByteArray(), Number = 42,
        CreatedAt = Now - expired - TimeSpan.FromMinutes(2), ExpiresAt = Now - expired,
    };
}
