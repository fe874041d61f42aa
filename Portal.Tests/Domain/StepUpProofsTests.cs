using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Step-up proofs: five minutes, once, for one user and one purpose; the domain refuses a change without one.</summary>
public sealed class StepUpProofsTests : IAsyncLifetime
{
    private FactorsFixture factors = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync();
    }

    public async Task DisposeAsync() => await factors.DisposeAsync();

    private StepUpProofs Proofs => factors.Database.StepUpProofs;

    [Fact]
    public async Task AProof_IsSpentOnce()
    {
        var proof = Proofs.Issue(userId, StepUpPurposes.RemovePasskey);

        Assert.True(await proof.SpendAsync(userId, StepUpPurposes.RemovePasskey));
        Assert.False(await proof.SpendAsync(userId, StepUpPurposes.RemovePasskey));
    }

    [Fact]
    public async Task AProof_HoldsFiveMinutes_AndNotOneSecondMore()
    {
        var atFive = Proofs.Issue(userId, StepUpPurposes.RemovePasskey);
        var atFiveOhOne = Proofs.Issue(userId, StepUpPurposes.RemovePasskey);

        factors.Database.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await atFive.SpendAsync(userId, StepUpPurposes.RemovePasskey));
        factors.Database.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await atFiveOhOne.SpendAsync(userId, StepUpPurposes.RemovePasskey));
    }

    [Fact]
    public async Task AProof_ForAnotherPurpose_OrAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("mallory@example.com");
        var forPhones = Proofs.Issue(userId, StepUpPurposes.ChangePhone);
        var mallorys = Proofs.Issue(other, StepUpPurposes.RemoveAuthenticator);

        Assert.False(await forPhones.SpendAsync(userId, StepUpPurposes.RemoveAuthenticator));
        Assert.False(await mallorys.SpendAsync(userId, StepUpPurposes.RemoveAuthenticator));
    }

    [Fact]
    public async Task TheDomain_RefusesToRemoveAFactor_WithoutAProof_OrWithAnotherUsersProof()
    {
        await factors.EnrollAsync(userId);
        var id = Assert.Single(await factors.Authenticators.ListAsync(userId)).Id;
        var other = await factors.AddUserAsync("eve@example.com");

        Assert.Equal(FactorRemoval.StepUpRequired, await factors.Lifecycle.RemoveAsync(userId, FactorKind.AuthenticatorApp, id, null));
        Assert.Equal(FactorRemoval.StepUpRequired, await factors.Lifecycle.RemoveAsync(userId, FactorKind.AuthenticatorApp, id, Proofs.Issue(other, StepUpPurposes.RemoveAuthenticator)));
        Assert.Equal(FactorRemoval.StepUpRequired, await factors.Lifecycle.RemoveAsync(userId, FactorKind.AuthenticatorApp, id, Proofs.Issue(userId, StepUpPurposes.RemovePasskey)));
        Assert.Single(await factors.Authenticators.ListAsync(userId));
        Assert.True(await factors.Lifecycle.RemoveAsync(userId, FactorKind.AuthenticatorApp, id, Proofs.Issue(userId, StepUpPurposes.RemoveAuthenticator)) == FactorRemoval.Removed);
    }

    [Fact]
    public async Task AProofFromAnotherInstall_DoesNotUnprotect()
    {
        await using var elsewhere = await TestDatabase.CreateAsync();
        var foreign = elsewhere.StepUpProofs.Issue(userId, StepUpPurposes.RemovePasskey).ToString();
        var relabelled = Proofs.Issue(userId, StepUpPurposes.RemovePasskey);

        // The same user and purpose, but made with other keys: a forgery, whatever it says inside.
        Assert.NotEqual(foreign, relabelled.ToString());
        Assert.False(await Proofs.ConsumeAsync(foreign, userId, StepUpPurposes.RemovePasskey, default));
        Assert.False(await Proofs.ConsumeAsync(foreign[..^4] + "AAAA", userId, StepUpPurposes.RemovePasskey, default));
    }

    [Fact]
    public async Task RecoveryCodes_AreRegeneratedOnlyWithAProof_AndTheFirstSetOnlyOnce()
    {
        var first = await factors.RecoveryCodes.IssueFirstAsync(userId);

        Assert.NotNull(first);
        Assert.Null(await factors.RecoveryCodes.IssueFirstAsync(userId));
        Assert.Null(await factors.RecoveryCodes.RegenerateAsync(userId, null));
        Assert.Equal(first!.Count, await factors.RecoveryCodes.RemainingAsync(userId));
        var fresh = await factors.RecoveryCodes.RegenerateAsync(userId, Proofs.Issue(userId, StepUpPurposes.RegenerateRecoveryCodes));
        Assert.NotNull(fresh);
        Assert.False(await factors.RecoveryCodes.RedeemAsync(userId, first[0]));
    }
}
