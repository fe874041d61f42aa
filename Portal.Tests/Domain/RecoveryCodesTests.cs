using Tessera.Domain.Accounts;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class RecoveryCodesTests : IAsyncLifetime
{
    private FactorsFixture factors = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync();
    }

    public async Task DisposeAsync() => await factors.DisposeAsync();

    [Fact]
    public async Task Regenerate_MakesTenDistinctCodes()
    {
        var codes = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))!;

        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[A-Z2-9]{5}-[A-Z2-9]{5}$", c));
        Assert.Equal(10, await factors.RecoveryCodes.RemainingAsync(userId));
    }

    [Fact]
    public async Task Redeem_WorksOnceAndOnlyOnce()
    {
        var code = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))![3];

        var first = await factors.RecoveryCodes.RedeemAsync(userId, code);
        var second = await factors.RecoveryCodes.RedeemAsync(userId, code);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(9, await factors.RecoveryCodes.RemainingAsync(userId));
    }

    [Fact]
    public async Task Redeem_IgnoresCaseSpacesAndTheDash()
    {
        var code = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))![0];

        Assert.True(await factors.RecoveryCodes.RedeemAsync(userId, " " + code.Replace("-", " ").ToLowerInvariant() + " "));
    }

    [Fact]
    public async Task Regenerate_VoidsTheOldSet()
    {
        var old = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))!;
        await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes));

        Assert.False(await factors.RecoveryCodes.RedeemAsync(userId, old[0]));
        Assert.Equal(10, await factors.RecoveryCodes.RemainingAsync(userId));
    }

    [Fact]
    public async Task Codes_AreStoredOnlyAsSaltedHashes()
    {
        var codes = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))!;

        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var rows = await db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == userId).ToListAsync();
        Assert.Equal(10, rows.Select(r => Convert.ToBase64String(r.Salt)).Distinct().Count());
        var stored = string.Join("|", rows.Select(r => Convert.ToHexString(r.Hash) + Convert.ToBase64String(r.Hash)));
        Assert.All(codes, c => Assert.DoesNotContain(RecoveryCodes.Normalize(c), stored));
    }

    [Fact]
    public async Task ConcurrentRedeemsOfOneCode_SucceedOnce()
    {
        var code = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))![0];

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => factors.RecoveryCodes.RedeemAsync(userId, code))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task AnotherUsersCode_DoesNotWork()
    {
        var stranger = await factors.AddUserAsync("mallory@example.com");
        var code = (await factors.RecoveryCodes.RegenerateAsync(userId, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes)))![0];

        Assert.False(await factors.RecoveryCodes.RedeemAsync(stranger, code));
    }
}
