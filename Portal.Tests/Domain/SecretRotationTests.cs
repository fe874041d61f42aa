using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.Contacts;
using Tessera.Domain.Delivery;
using Tessera.Domain.Keys;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>
/// Every install secret rotates without orphaning what was made under the old version: a live code, a counter inside
/// its window, a spent proof, an address in the audit log, a checkpoint. An old version is destroyed only once nothing
/// needs it, and never in the hour after its successor appeared.
/// </summary>
public sealed class SecretRotationTests : IAsyncLifetime
{
    private static readonly ChallengeBinding Ada = ChallengeBinding.ForUser("user-ada");

    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task ACodeSentBeforeARotation_StillChecks_AndTheNextCodeIsMadeUnderTheNewVersion()
    {
        var (challenges, codes) = CreateChallenges();
        var before = await challenges.CreateAsync(Request(codes));

        await database.Secrets.AddVersionAsync(Challenges.CodeSecretName, 32);
        var after = await challenges.CreateAsync(Request(codes));

        Assert.Equal(ChallengeStatus.Approved, (await challenges.CheckAsync(before.ChallengeId, codes[0], Ada))!.Status);
        Assert.Equal(ChallengeStatus.Approved, (await challenges.CheckAsync(after.ChallengeId, codes[1], Ada))!.Status);
        Assert.Equal(1, await CodeKeyVersionAsync(before.ChallengeId));
        Assert.Equal(2, await CodeKeyVersionAsync(after.ChallengeId));
    }

    [Fact]
    public async Task TheOldCodeKey_IsKeptWhileACodeUnderItIsLive_ThenDestroyed()
    {
        var (challenges, codes) = CreateChallenges(lifetime: TimeSpan.FromHours(2));
        var live = await challenges.CreateAsync(Request(codes));
        await database.Secrets.AddVersionAsync(Challenges.CodeSecretName, 32);
        var rotation = Rotation(new ChallengeCodeSecret(database.Factory, database.Time));

        // Within the hour after the new version nothing is destroyed, however unused: a node may still make values with it.
        var tooSoon = await rotation.TidyAsync();
        database.Time.Advance(SecretRotation.RetireAfter);
        var whileLive = await rotation.TidyAsync();
        var stillChecks = (await challenges.CheckAsync(live.ChallengeId, codes[0], Ada))!.Status;
        var afterUse = await rotation.TidyAsync();

        Assert.Empty(tooSoon);
        Assert.Empty(whileLive);
        Assert.Equal(ChallengeStatus.Approved, stillChecks);
        Assert.Equal([1], Assert.Single(afterUse).Retired);
        Assert.Equal([2], (await database.Secrets.ReloadAsync(Challenges.CodeSecretName, 32)).Select(v => v.Version));
    }

    [Fact]
    public async Task ACodeWhoseKeyWasDestroyed_IsAWrongCode_NotAnError()
    {
        var (challenges, codes) = CreateChallenges();
        var created = await challenges.CreateAsync(Request(codes));
        await database.Secrets.AddVersionAsync(Challenges.CodeSecretName, 32);

        Assert.True(await database.Secrets.RetireAsync(Challenges.CodeSecretName, 1));
        var result = await challenges.CheckAsync(created.ChallengeId, codes[0], Ada);

        Assert.Equal(ChallengeStatus.Pending, result!.Status);
        Assert.False(await database.Secrets.RetireAsync(Challenges.CodeSecretName, 2), "the current version must never be destroyed");
    }

    [Fact]
    public async Task APerDestinationLimit_HoldsAcrossARotationOfTheCounterKey()
    {
        var limiter = Limiter(new RateLimit(3, TimeSpan.FromHours(1)));
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await limiter.CheckAsync(Sms("+447700900123"))).Allowed);
        }

        await database.Secrets.AddVersionAsync(SendLimiter.SubjectSecretName, 32);
        var third = await limiter.CheckAsync(Sms("+447700900123"));
        var fourth = await limiter.CheckAsync(Sms("+447700900123"));

        Assert.True(third.Allowed);
        Assert.False(fourth.Allowed);
        Assert.Equal(SendRules.PerDestination, fourth.Rule);
        await using var db = await database.Factory.CreateDbContextAsync();
        var subjects = await db.SendCounters.Where(c => c.Rule == SendRules.PerDestination).Select(c => c.Subject).ToListAsync();
        Assert.Equal(2, subjects.Count);
        Assert.Single(subjects, s => s.StartsWith("v2:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheOldCounterKey_IsKeptUntilItsLastWindowEnds()
    {
        var limiter = Limiter(new RateLimit(3, TimeSpan.FromHours(1)));
        await limiter.CheckAsync(Sms("+447700900123"));
        await database.Secrets.AddVersionAsync(SendLimiter.SubjectSecretName, 32);
        var rotation = Rotation(new CounterSubjectSecret(database.Factory, database.Time));
        database.Time.Advance(SecretRotation.RetireAfter);

        // The longest window the send counted in is the daily SMS cap's, which ends with the UTC day.
        var insideTheWindow = await rotation.TidyAsync();
        database.Time.Advance(TimeSpan.FromDays(1));
        var afterIt = await rotation.TidyAsync();

        Assert.Empty(insideTheWindow);
        Assert.Equal([1], Assert.Single(afterIt).Retired);
    }

    [Fact]
    public async Task AStepUpProofSpentBeforeARotation_StaysSpent()
    {
        var proof = database.StepUpProofs.Issue("user-ada", StepUpPurposes.ChangePhone);
        Assert.True(await proof.SpendAsync("user-ada", StepUpPurposes.ChangePhone));

        await database.Secrets.AddVersionAsync(SendLimiter.SubjectSecretName, 32);

        Assert.False(await proof.SpendAsync("user-ada", StepUpPurposes.ChangePhone));
    }

    [Fact]
    public async Task AnAddressSearch_FindsEventsFromBeforeAndAfterARotation()
    {
        var search = new AuditSearch(database.Factory, database.Pseudonymizer, database.Subjects);
        await database.AuditLog.RecordAsync(new AuditEntry("test.before", AuditOutcome.Success, IpAddress: "203.0.113.7"));
        await database.AuditLog.RecordAsync(new AuditEntry("test.elsewhere", AuditOutcome.Success, IpAddress: "198.51.100.9"));

        await database.Secrets.AddVersionAsync(IpPseudonymizer.SecretName, 32);
        await database.AuditLog.RecordAsync(new AuditEntry("test.after", AuditOutcome.Success, IpAddress: "::ffff:203.0.113.7"));
        var found = await search.SearchAsync(new AuditFilter(IpAddress: "203.0.113.7"), 0, 50);
        var pseudonyms = found.Items.Select(e => e.IpPseudonym!).ToList();

        Assert.Equal(["test.after", "test.before"], found.Items.Select(e => e.Type));
        Assert.DoesNotContain(":", pseudonyms[1]);
        Assert.StartsWith("v2:", pseudonyms[0]);
        Assert.NotEqual(pseudonyms[1], pseudonyms[0][3..]);
        // The old version stays while an event carries a pseudonym made with it.
        Assert.True(await new IpPseudonymSecret(database.Factory).InUseAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task Checkpoints_AreSignedAgainUnderTheNewVersion_AForgeryIsNot_AndIsStillReported()
    {
        var audit = new AuditServices(database);
        await database.AuditLog.RecordAsync(new AuditEntry("test.one", AuditOutcome.Success));
        var genuine = (await audit.Checkpoints.WriteAsync())!;
        await database.AuditLog.RecordAsync(new AuditEntry("test.two", AuditOutcome.Success));
        var forged = (await audit.Checkpoints.WriteAsync())!;
        await database.ExecuteSqlAsync("""UPDATE "AuditCheckpoints" SET "Signature" = {0} WHERE "Id" = {1}""", new string('a', 64), forged.Id);
        var owner = new AuditCheckpointSecret(audit.Checkpoints);

        var rotated = await Rotation(owner).RotateAsync();
        database.Time.Advance(SecretRotation.RetireAfter);
        var tidied = await Rotation(owner).TidyAsync();

        Assert.Equal(new SecretRotated(AuditCheckpoints.SecretName, 2, 1, []), Assert.Single(rotated));
        Assert.Equal([1], Assert.Single(tidied).Retired);
        var checkpoints = await audit.Checkpoints.ListAsync();
        var resigned = checkpoints.Single(c => c.Id == genuine.Id);
        Assert.Equal(2, resigned.KeyVersion);
        Assert.NotEqual(genuine.Signature, resigned.Signature);
        Assert.True(await audit.Checkpoints.IsAuthenticAsync(resigned));
        var stillForged = checkpoints.Single(c => c.Id == forged.Id);
        Assert.Equal(1, stillForged.KeyVersion);
        Assert.False(await audit.Checkpoints.IsAuthenticAsync(stillForged));
        Assert.NotNull((await audit.Verifier.VerifyAsync()).Problem);
    }

    [Fact]
    public async Task ANodeThatLoadedItsVersionsBeforeARotation_MakesValuesUnderTheNewOneWithinRefreshEvery()
    {
        var otherNode = new SecretStore(database.Factory, database.Protection, database.Time);
        await otherNode.InitializeAsync();
        var before = await otherNode.CurrentAsync("test.secret", 32);

        await database.Secrets.AddVersionAsync("test.secret", 32);
        var stale = await otherNode.CurrentAsync("test.secret", 32);
        database.Time.Advance(SecretStore.RefreshEvery);
        var refreshed = await otherNode.CurrentAsync("test.secret", 32);

        Assert.Equal(1, before.Version);
        Assert.Equal(1, stale.Version);
        Assert.Equal(2, refreshed.Version);
        Assert.True(SecretStore.RefreshEvery < SecretRotation.RetireAfter);
    }

    [Fact]
    public async Task Tags_AreReadBack_AndSelectTheirRows()
    {
        var v1 = await database.Secrets.CurrentAsync("test.secret", 32);
        var v12 = (await database.Secrets.AddVersionAsync("test.secret", 32)) with { Version = 12 };
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            db.SendCounters.AddRange(
                Counter(v1.KeyedHash("a")), Counter(v12.KeyedHash("b")), Counter("v1" + v1.KeyedHash("c")[2..]));
            await db.SaveChangesAsync();
        }

        await using var read = await database.Factory.CreateDbContextAsync();
        var madeWith1 = await read.SendCounters.MadeWith(c => c.Subject, 1).CountAsync();
        var madeWith12 = await read.SendCounters.MadeWith(c => c.Subject, 12).CountAsync();
        var notMadeWith12 = await read.SendCounters.NotMadeWith(c => c.Subject, 12).CountAsync();

        Assert.Equal(1, InstallSecret.VersionOf(v1.KeyedHash("a")));
        Assert.Equal(12, InstallSecret.VersionOf(v12.KeyedHash("b")));
        Assert.Equal(2, madeWith1);
        Assert.Equal(1, madeWith12);
        Assert.Equal(2, notMadeWith12);
        Assert.Equal(0, await read.SendCounters.MadeWith(c => c.Subject, 2).CountAsync());
    }

    private SendCounter Counter(string subject) => new()
    {
        Rule = "test", Subject = subject, WindowStart = database.Time.GetUtcNow(), WindowEnd = database.Time.GetUtcNow().AddHours(1), Count = 1,
    };

    private SecretRotation Rotation(params IVersionedSecret[] secrets) => new(database.Secrets, secrets, database.Time);

    private (Challenges Challenges, List<string> Codes) CreateChallenges(TimeSpan? lifetime = null) =>
        (new Challenges(database.Factory, database.Time, database.Secrets, database.AuditLog,
            new FixedPolicies(new PolicySet { Otp = new OtpPolicy { Lifetime = lifetime ?? new OtpPolicy().Lifetime } }),
            new MessageQueue(database.Factory, database.Time), UnlimitedSendLimiter.Instance, NoDeliveryTrigger.Instance,
            new ChallengeTexts(new ChallengeTextSettings("Tessera", "localhost"))), []);

    private static ChallengeRequest Request(List<string> codes) =>
        new("sign-in", Ada, Channel.Sms, "+15551234567", "+1 ••• ••• 4567", code =>
        {
            codes.Add(code);
            return ("Code", $"Your code is {code}");
        });

    private async Task<int> CodeKeyVersionAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OtpChallenges.Where(c => c.Id == id).Select(c => c.CodeKeyVersion).SingleAsync();
    }

    private SendLimiter Limiter(RateLimit perDestination) => new(database.Factory, new FixedPolicies(new PolicySet
    {
        RateLimits = new RateLimitPolicy { PerDestination = perDestination },
    }), database.Secrets, database.Time, Options.Create(new PhoneOptions()));

    private static SendAttempt Sms(string destination) => new(Channel.Sms, destination, "GB", null, null, null);
}
