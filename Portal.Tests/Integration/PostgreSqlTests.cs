using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The same app on PostgreSQL (data and Hangfire); runs when TESSERA_TEST_POSTGRES names a server.</summary>
[Collection(PostgresRaces.Name)]
public sealed class PostgreSqlTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private PostgresDatabase? database;
    private TesseraFactory? factory;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.ServerConnectionString is null)
        {
            return;
        }
        database = await PostgresDatabase.CreateAsync();
        factory = new TesseraFactory()
            .With("Database:Provider", "PostgreSql")
            .With("Database:ConnectionString", database.ConnectionString);
    }

    [SkippableFact]
    public async Task DataRetention_OnPostgreSql_DeletesFinishedOldRows_AndKeepsPendingOnes()
    {
        var app = Require();
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-40);
        Guid pendingId;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var challenge = new Tessera.Domain.Challenges.OtpChallenge
            {
                Purpose = "sign-in", Channel = Tessera.Domain.Contacts.Channel.Sms, DestinationHash = "h", MaskedDestination = "+44 •••• ••• 123",
                CodeHash = [1], CreatedAt = old, ExpiresAt = old.AddMinutes(10),
            };
            db.OtpChallenges.Add(challenge);
            var code = Tessera.Portal.Tests.Domain.DataRetentionTests.Message(Tessera.Domain.Delivery.MessageStatus.Sent, old, $"challenge:{challenge.Id:N}");
            var email = Tessera.Portal.Tests.Domain.DataRetentionTests.Message(Tessera.Domain.Delivery.MessageStatus.Sent, old, null);
            var pending = Tessera.Portal.Tests.Domain.DataRetentionTests.Message(Tessera.Domain.Delivery.MessageStatus.Pending, old, null);
            db.OutboundMessages.AddRange(code, email, pending);
            pendingId = pending.Id;
            db.DeliveryAttempts.AddRange(Tessera.Portal.Tests.Domain.DataRetentionTests.Attempt(code), Tessera.Portal.Tests.Domain.DataRetentionTests.Attempt(email));
            db.QrSignInSessions.Add(new Tessera.Domain.CrossDevice.QrSignInSession { TokenHash = [1], BrowserNonceHash = [2], CreatedAt = old, ExpiresAt = old.AddMinutes(2) });
            db.SendCounters.Add(new Tessera.Domain.Policies.SendCounter { Rule = "dest", Subject = "s", WindowStart = old, WindowEnd = old.AddHours(1), Count = 1 });
            await db.SaveChangesAsync();
        }

        var report = await app.Services.GetRequiredService<Tessera.Domain.Retention.DataRetention>().ApplyAsync();

        Assert.Equal((1, 2, 2, 1), (report.Challenges, report.Messages, report.Attempts, report.QrSessions));
        Assert.True(report.SendCounters >= 1);
        await using var check = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // The message that was pending is kept (the running app may have sent it meanwhile: then it is sent just now).
        Assert.Equal(pendingId, Assert.Single(await check.OutboundMessages.Select(m => m.Id).ToListAsync()));
    }

    [SkippableFact]
    public async Task Start_MigratesPostgreSql_AndIsHealthy()
    {
        var app = Require();
        using var client = app.CreateBrowserlessClient();

        var (status, json) = await Health.WaitForHealthyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        using var body = JsonDocument.Parse(json);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(db.Database.IsNpgsql());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [SkippableFact]
    public async Task Admin_OnPostgreSql_SignsInAndOpensTheConsoleAndJobs()
    {
        var app = Require();
        await app.CreateUserAsync("pg-admin@example.com", Password, Roles.Admin);
        using var client = app.CreateBrowserlessClient();

        await SignIn.SignInAsync(client, "pg-admin@example.com", Password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/jobs")).StatusCode);
    }

    [SkippableFact]
    public async Task WrongPasswords_OnPostgreSql_LockTheAccount()
    {
        var app = Require();
        await app.CreateUserAsync("pg-locked@example.com", Password);
        using var client = app.CreateBrowserlessClient();

        HttpResponseMessage last = default!;
        for (var i = 0; i < 5; i++)
        {
            last = await SignIn.PostLoginAsync(client, "pg-locked@example.com", $"wrong {i}");
        }

        Assert.Equal(HttpStatusCode.Redirect, last.StatusCode);
        Assert.Equal("/Account/Lockout", last.TargetPath());
    }

    [SkippableFact]
    public async Task AuditChain_OnPostgreSql_StaysIntactUnderConcurrentWriters()
    {
        var app = Require();
        var audit = app.Services.GetRequiredService<AuditLog>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            audit.RecordAsync(new AuditEntry("test.concurrent", AuditOutcome.Success, Detail: $"writer {i}", IpAddress: "203.0.113.7")))));

        Assert.True((await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync()).Intact);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(40, await db.AuditEvents.CountAsync(e => e.Type == "test.concurrent"));
    }

    [SkippableFact]
    public async Task AuditDashboardSearchAndCheckpoints_OnPostgreSql_UseTheirProviderSql()
    {
        var app = Require();
        var audit = app.Services.GetRequiredService<AuditLog>();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Failure, SubjectId: "pg-dashboard"));
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Failure, SubjectId: "pg-dashboard"));

        var activity = await app.Services.GetRequiredService<AuditStatistics>().ActivityAsync(Tessera.Domain.Persistence.StatisticsPeriod.Last24Hours);
        var page = await app.Services.GetRequiredService<AuditSearch>().SearchAsync(new AuditFilter(From: before, SubjectId: "pg-dashboard"), 0, 25);
        var checkpoint = await app.Services.GetRequiredService<AuditCheckpoints>().WriteAsync();
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync();

        Assert.Equal(2, activity.Series.Single(s => s.Name == AuditStatistics.FailedSignIns).Total);
        Assert.Equal(2, page.TotalCount);
        Assert.NotNull(checkpoint);
        Assert.True(report.Intact, report.Message);
    }

    [SkippableFact]
    public async Task FieldKeyRing_OnPostgreSql_RotatesToOneActiveKey_AndAnotherNodeDecrypts()
    {
        var app = Require();
        var ring = app.Services.GetRequiredService<FieldKeyRing>();
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var other = new FieldKeyRing(dbFactory, app.Services.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System);
        await other.InitializeAsync(CancellationToken.None);
        var secret = "pg-secret"u8.ToArray();

        var newId = await ring.AddActiveKeyAsync(CancellationToken.None);
        var stored = ring.Encrypt(secret);

        Assert.StartsWith($"v1:{newId}:", stored);
        Assert.Equal(secret, other.Decrypt(stored));
        await using var db = await dbFactory.CreateDbContextAsync();
        Assert.Equal([newId], await db.FieldKeys.Where(k => k.IsActive).Select(k => k.Id).ToListAsync());
    }

    [SkippableFact]
    public async Task OneAuthenticatorCode_FiftyConcurrentUses_OnPostgreSql_SucceedExactlyOnce()
    {
        var app = Require();
        var user = await app.CreateUserAsync("pg-totp@example.com", Password);
        var authenticators = app.Services.GetRequiredService<Tessera.Domain.Factors.Authenticators>();
        var pending = Tessera.Domain.Factors.Authenticators.Offer("Tessera", "pg-totp@example.com");
        await authenticators.ConfirmAsync(user.Id, "Phone", pending, Tessera.Domain.Factors.OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow), proof: null);
        var code = Tessera.Domain.Factors.OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow.AddSeconds(30));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => authenticators.VerifyAsync(user.Id, code))));

        Assert.Equal(1, results.Count(r => r == Tessera.Domain.Factors.CodeCheck.Accepted));
    }

    [SkippableFact]
    public async Task OneChallengeCode_FiftyConcurrentChecks_OnPostgreSql_ApproveExactlyOnce()
    {
        var app = Require();
        var challenges = app.Services.GetRequiredService<Tessera.Domain.Challenges.Challenges>();
        var binding = Tessera.Domain.Challenges.ChallengeBinding.ForUser("pg-challenge-user");
        var code = "";
        var created = await challenges.CreateAsync(new Tessera.Domain.Challenges.ChallengeRequest(
            "sign-in", binding, Tessera.Domain.Contacts.Channel.Sms, "+447700900123", "+44 •••• ••• 123",
            sent => ("Your code", $"Your code is {code = sent}"), Region: "GB"));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => challenges.CheckAsync(created.ChallengeId, code, binding))));

        Assert.Equal(1, results.Count(r => r!.Status == Tessera.Domain.Challenges.ChallengeStatus.Approved));
    }

    private TesseraFactory Require()
    {
        Skip.If(factory is null, PostgresDatabase.SkipReason);
        return factory!;
    }

    public async Task DisposeAsync()
    {
        factory?.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
