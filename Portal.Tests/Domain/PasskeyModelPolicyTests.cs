using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class PasskeyModelPolicyTests : IAsyncLifetime
{
    private static readonly Guid OnePassword = Guid.Parse("bada5566-a7aa-401f-bd96-45619a55120d");
    private static readonly Guid WindowsHello = Guid.Parse("08987058-cadc-4b81-b6e1-30de50dcbe96");
    private FactorsFixture factors = null!;

    public async Task InitializeAsync() => factors = await FactorsFixture.CreateAsync();

    public async Task DisposeAsync() => await factors.DisposeAsync();

    [Fact]
    public async Task EmptyList_AllowsAnyModel()
    {
        var policy = Policy();

        Assert.True(await policy.IsAllowedAsync(OnePassword));
        Assert.True(await policy.IsAllowedAsync(Guid.Empty));
    }

    [Fact]
    public async Task AdminAllowsAModel_OthersAreRefused_AndTheChangeIsAudited()
    {
        var policy = Policy();

        await policy.AllowAsync(WindowsHello, "admin-id");

        Assert.True(await policy.IsAllowedAsync(WindowsHello));
        Assert.False(await policy.IsAllowedAsync(OnePassword));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.PasskeyModelPolicyChanged && e.ActorId == "admin-id"));
    }

    [Fact]
    public async Task ConfiguredAndAdminLists_AddUp()
    {
        var policy = Policy(OnePassword);
        await policy.AllowAsync(WindowsHello, "admin-id");

        var listed = await policy.ListAsync();

        Assert.True(await policy.IsAllowedAsync(OnePassword));
        Assert.True(await policy.IsAllowedAsync(WindowsHello));
        Assert.False(await policy.IsAllowedAsync(Guid.Empty));
        Assert.Contains(listed, m => m.Aaguid == OnePassword && m.FromConfiguration && m.Name == "1Password");
        Assert.Contains(listed, m => m.Aaguid == WindowsHello && !m.FromConfiguration);
    }

    [Fact]
    public async Task RemovingTheLastAdminModel_AllowsAnyModelAgain()
    {
        var policy = Policy();
        await policy.AllowAsync(WindowsHello, "admin-id");

        var removed = await policy.DisallowAsync(WindowsHello, "admin-id");

        Assert.True(removed);
        Assert.True(await policy.IsAllowedAsync(OnePassword));
    }

    [Fact]
    public async Task Registration_OfAModelNotOnTheAdminList_IsRefused()
    {
        var userId = await factors.AddUserAsync();
        await Policy().AllowAsync(WindowsHello, "admin-id");
        var passkeys = factors.CreatePasskeys();
        using var device = new SoftwareAuthenticator(OnePassword);
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, device.Register(start.OptionsJson), "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.False(result.Succeeded);
        Assert.Empty(await passkeys.ListAsync(userId));
    }

    [Fact]
    public async Task PurgeExpiredChallenges_RemovesOnlyLongExpiredOnes()
    {
        var passkeys = factors.CreatePasskeys();
        var userId = await factors.AddUserAsync();
        await passkeys.BeginAssertionAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await passkeys.BeginAssertionAsync(userId);

        var purged = await passkeys.PurgeExpiredChallengesAsync();

        Assert.Equal(1, purged);
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.Equal([fresh.ChallengeId], await db.WebAuthnChallenges.Select(c => c.Id).ToListAsync());
    }

    private PasskeyModelPolicy Policy(params Guid[] configured) =>
        new(factors.Database.Factory, factors.Database.Time, factors.Database.AuditLog,
            Options.Create(new WebAuthnOptions { AllowedAaguids = [.. configured] }), factors.Models);
}
