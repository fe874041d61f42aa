using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Contacts;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.HotPath;

/// <summary>
/// The hot paths with group commit in place (<see cref="WriteBatcher"/>: one writer batching units on SQLite, a
/// transaction each on PostgreSQL), and the audit sequencer: the same tests on both providers.
/// </summary>
public abstract class HotPathTests : IAsyncLifetime
{
    private const string Number = "+447700900123";

    protected TesseraFactory? Factory { get; set; }

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        Factory?.Dispose();
        return Task.CompletedTask;
    }

    protected abstract TesseraFactory App();

    [SkippableFact]
    public async Task TwoHundredConcurrentWrongCodes_AreCountedExactlyUpToTheLimit_AndTheRestRefused()
    {
        var app = App();
        var challenges = app.Services.GetRequiredService<Challenges>();
        var binding = ChallengeBinding.ForClient("hot-path-wrong");
        var (created, code) = await CreateAsync(challenges, binding);
        var wrong = code == "000000" ? "111111" : "000000";

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => challenges.CheckAsync(created.ChallengeId, wrong, binding))));

        var maxChecks = new PolicySet().Otp.MaxChecks;
        // Each counted check saw a different count: attempts left maxChecks-1 down to 1 while pending, once each...
        var pending = results.Where(r => r!.Status == ChallengeStatus.Pending).Select(r => r!.AttemptsLeft).Order().ToList();
        Assert.Equal(Enumerable.Range(1, maxChecks - 1), pending);
        // ...and every other answer says the attempts are used up.
        Assert.All(results.Where(r => r!.Status != ChallengeStatus.Pending), r =>
        {
            Assert.Equal(ChallengeStatus.MaxAttemptsReached, r!.Status);
            Assert.Equal(0, r.AttemptsLeft);
        });
        // The right code after the lockout is refused too: the limit closed the challenge.
        Assert.NotEqual(ChallengeStatus.Approved, (await challenges.CheckAsync(created.ChallengeId, code, binding))!.Status);
        await using var db = await DbAsync(app);
        var row = await db.OtpChallenges.AsNoTracking().SingleAsync(c => c.Id == created.ChallengeId);
        Assert.Equal(maxChecks, row.Checks);
        Assert.Equal(ChallengeStatus.MaxAttemptsReached, row.Status);
        // Every check left its event: exactly maxChecks counted as wrong, the rest (and the late right one) refused.
        await app.Services.GetRequiredService<AuditSequencer>().FlushAsync();
        var details = await db.AuditEvents.Where(e => e.Type == AuditEventTypes.ChallengeChecked).Select(e => e.Detail!).ToListAsync();
        var mine = details.Where(d => d.Contains(created.ChallengeId.ToString())).ToList();
        Assert.Equal(maxChecks, mine.Count(d => d.Contains("wrong code")));
        Assert.Equal(201 - maxChecks, mine.Count(d => d.Contains("refused")));
    }

    [SkippableFact]
    public async Task ThirtyConcurrentSendsToOneNumber_CreateExactlyThePerDestinationLimit()
    {
        var app = App();
        var challenges = app.Services.GetRequiredService<Challenges>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            try
            {
                await CreateAsync(challenges, ChallengeBinding.ForClient($"hot-path-send-{i}"));
                return true;
            }
            catch (SendRefusedException refused)
            {
                Assert.Equal(SendRules.PerDestination, refused.Decision.Rule);
                return false;
            }
        })));

        var limit = new PolicySet().RateLimits.PerDestination.Limit;
        Assert.Equal(limit, outcomes.Count(sent => sent));
        await using var db = await DbAsync(app);
        Assert.Equal(limit, await db.OtpChallenges.CountAsync(c => c.ClientId!.StartsWith("hot-path-send-")));
        Assert.Equal(limit, await db.OutboundMessages.CountAsync(m => m.Reference!.StartsWith("challenge:")));
        // The refused ones spent nothing: the counter holds exactly the sends that happened.
        Assert.Equal(limit, await db.SendCounters.Where(c => c.Rule == SendRules.PerDestination).SumAsync(c => c.Count));
    }

    [SkippableFact]
    public async Task ACheckWhoseAuditEventCannotBeWritten_LeavesTheChallengeAsItWas()
    {
        var app = App();
        var challenges = app.Services.GetRequiredService<Challenges>();
        var binding = ChallengeBinding.ForClient("hot-path-atomic");
        var (created, code) = await CreateAsync(challenges, binding);
        await FailAuditInsertsAsync(app);

        await Assert.ThrowsAnyAsync<Exception>(() => challenges.CheckAsync(created.ChallengeId, code, binding));

        // The approval and its event were one transaction: neither exists.
        await using var db = await DbAsync(app);
        var row = await db.OtpChallenges.AsNoTracking().SingleAsync(c => c.Id == created.ChallengeId);
        Assert.Equal(ChallengeStatus.Pending, row.Status);
        Assert.Equal(0, row.Checks);
        await AllowAuditInsertsAsync(app);
        Assert.Equal(ChallengeStatus.Approved, (await challenges.CheckAsync(created.ChallengeId, code, binding))!.Status);
    }

    [SkippableFact]
    public async Task TwoSequencers_WithConcurrentWritersAndChecks_ChainOneUnbrokenChain()
    {
        var app = App();
        var audit = app.Services.GetRequiredService<AuditLog>();
        var challenges = app.Services.GetRequiredService<Challenges>();
        // A second node's sequencer over the same database, flushing while this node's does.
        var other = new AuditSequencer(app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        var binding = ChallengeBinding.ForClient("hot-path-chain");
        var (created, _) = await CreateAsync(challenges, binding);
        using var stop = new CancellationTokenSource();
        var flushing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await other.FlushAsync();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => i % 2 == 0
            ? audit.RecordAsync(new AuditEntry("test.chain", AuditOutcome.Success, Detail: $"writer {i}"))
            : challenges.CheckAsync(created.ChallengeId, "999999", binding))));
        await stop.CancelAsync();
        await flushing;

        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync();
        Assert.True(report.Intact, report.Message);
        Assert.Equal(0, report.Pending);
        await using var db = await DbAsync(app);
        Assert.Equal(30, await db.AuditEvents.CountAsync(e => e.Type == "test.chain"));
        Assert.Equal(30, await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.ChallengeChecked));
        Assert.Equal(0, await db.AuditStaged.CountAsync());
    }

    protected abstract Task FailAuditInsertsAsync(TesseraFactory app);

    protected abstract Task AllowAuditInsertsAsync(TesseraFactory app);

    protected static Task<PortalDbContext> DbAsync(TesseraFactory app) =>
        app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private static async Task<(ChallengeCreated Created, string Code)> CreateAsync(Challenges challenges, ChallengeBinding binding)
    {
        var code = "";
        var created = await challenges.CreateAsync(new ChallengeRequest(
            "verification", binding, Channel.Sms, Number, "+44 •••• ••• 123", sent => ("Your code", $"Your code is {code = sent}"), Region: "GB"));
        return (created, code);
    }
}

public sealed class HotPathSqliteTests : HotPathTests
{
    public override Task InitializeAsync()
    {
        Factory = new TesseraFactory();
        return Task.CompletedTask;
    }

    protected override TesseraFactory App() => Factory!;

    protected override async Task FailAuditInsertsAsync(TesseraFactory app)
    {
        await using var db = await DbAsync(app);
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER fail_audit BEFORE INSERT ON \"AuditStaged\" BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;");
    }

    protected override async Task AllowAuditInsertsAsync(TesseraFactory app)
    {
        await using var db = await DbAsync(app);
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER fail_audit;");
    }
}

[Collection(PostgresRaces.Name)]
public sealed class HotPathPostgreSqlTests : HotPathTests
{
    private PostgresDatabase? database;

    public override async Task InitializeAsync()
    {
        if (PostgresDatabase.ServerConnectionString is null)
        {
            return;
        }
        database = await PostgresDatabase.CreateAsync();
        Factory = new TesseraFactory()
            .With("Database:Provider", "PostgreSql")
            .With("Database:ConnectionString", database.ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    protected override TesseraFactory App()
    {
        Skip.If(Factory is null, PostgresDatabase.SkipReason);
        return Factory!;
    }

    protected override async Task FailAuditInsertsAsync(TesseraFactory app)
    {
        await using var db = await DbAsync(app);
        await db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER fail_audit BEFORE INSERT ON "AuditStaged" FOR EACH ROW EXECUTE FUNCTION fail_audit();
            """);
    }

    protected override async Task AllowAuditInsertsAsync(TesseraFactory app)
    {
        await using var db = await DbAsync(app);
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER fail_audit ON \"AuditStaged\"; DROP FUNCTION fail_audit();");
    }
}
