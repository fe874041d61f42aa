using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditRefusalsTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private static AuditEntry Refusal(string? ip = "198.51.100.4", string user = "u1", string detail = "wrong password") =>
        new(AuditEventTypes.SignIn, AuditOutcome.Failure, user, user, ip, null, detail);

    [Fact]
    public async Task RepeatsInOneMinute_AreOneRowWithTheirCount_WrittenWhenTheMinuteIsOver()
    {
        var refusals = database.Refusals;
        for (var i = 0; i < 50; i++)
        {
            await refusals.RecordAsync(Refusal());
        }
        await refusals.FlushAsync();
        Assert.Single(await DetailsAsync());

        database.Time.Advance(TimeSpan.FromMinutes(1));
        await refusals.FlushAsync();

        var details = await DetailsAsync();
        Assert.Equal(2, details.Count);
        Assert.Equal("wrong password", details[0]);
        Assert.StartsWith("wrong password; repeated 49 more times in the minute from", details[1]);
    }

    [Fact]
    public async Task AnotherAccountNetworkOrKind_IsItsOwnRow()
    {
        var refusals = database.Refusals;

        await refusals.RecordAsync(Refusal());
        await refusals.RecordAsync(Refusal(ip: "::ffff:198.51.100.4"));
        await refusals.RecordAsync(Refusal(ip: "198.51.100.5"));
        await refusals.RecordAsync(Refusal(user: "u2"));
        await refusals.RecordAsync(Refusal(detail: "sign-in refused while locked out"));

        // The IPv4-mapped spelling is the same network as the plain one.
        Assert.Equal(4, (await DetailsAsync()).Count);
    }

    [Fact]
    public async Task TheNextMinutesFirstRefusal_WritesThePreviousMinutesRepeats_AndItself()
    {
        var refusals = database.Refusals;
        await refusals.RecordAsync(Refusal());
        await refusals.RecordAsync(Refusal());
        database.Time.Advance(TimeSpan.FromMinutes(1));

        await refusals.RecordAsync(Refusal());

        var details = await DetailsAsync();
        Assert.Equal(3, details.Count);
        Assert.StartsWith("wrong password; repeated 1 more time in", details[1]);
        Assert.Equal("wrong password", details[2]);
    }

    [Fact]
    public async Task FlushAll_AtShutdown_WritesTheCurrentMinutesRepeatsToo()
    {
        var refusals = database.Refusals;
        await refusals.RecordAsync(Refusal());
        await refusals.RecordAsync(Refusal());

        await refusals.FlushAsync(all: true);

        Assert.Equal(2, (await DetailsAsync()).Count);
    }

    private async Task<List<string?>> DetailsAsync()
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Detail).ToListAsync();
    }
}
