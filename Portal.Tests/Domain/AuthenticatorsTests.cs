using Tessera.Domain.Accounts;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuthenticatorsTests : IAsyncLifetime
{
    private FactorsFixture factors = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync();
    }

    public async Task DisposeAsync() => await factors.DisposeAsync();

    [Theory]
    [InlineData(-30)]
    [InlineData(30)]
    public async Task Verify_CodeOneStepAway_IsAccepted(int offsetSeconds)
    {
        var pending = await factors.EnrollAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(5));
        var code = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow().AddSeconds(offsetSeconds));

        var result = await factors.Authenticators.VerifyAsync(userId, code);

        Assert.Equal(CodeCheck.Accepted, result);
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public async Task Verify_CodeTwoStepsAway_IsRefusedByDefault(int offsetSeconds)
    {
        var pending = await factors.EnrollAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(5));
        var code = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow().AddSeconds(offsetSeconds));

        var result = await factors.Authenticators.VerifyAsync(userId, code);

        Assert.Equal(CodeCheck.Wrong, result);
    }

    [Fact]
    public async Task Verify_UsedCode_IsRefusedAsReplay()
    {
        var pending = await factors.EnrollAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(1));
        var code = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow());
        await factors.Authenticators.VerifyAsync(userId, code);

        var again = await factors.Authenticators.VerifyAsync(userId, code);

        Assert.Equal(CodeCheck.Replayed, again);
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var subject = await factors.Database.Subjects.ForSearchingAsync(userId);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.AuthenticatorReplay && e.SubjectId == subject));
    }

    [Fact]
    public async Task Verify_CodeOfAnEarlierStepAfterALaterOne_IsRefused()
    {
        var pending = await factors.EnrollAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(5));
        var now = factors.Database.Time.GetUtcNow();
        await factors.Authenticators.VerifyAsync(userId, OneTimeCodes.ComputeTotp(pending.Secret, now));

        var earlier = await factors.Authenticators.VerifyAsync(userId, OneTimeCodes.ComputeTotp(pending.Secret, now.AddSeconds(-30)));

        Assert.Equal(CodeCheck.Replayed, earlier);
    }

    [Fact]
    public async Task Verify_TheConfirmationCode_CannotBeUsedToSignIn()
    {
        var pending = Authenticators.Offer("Tessera", "ada@example.com");
        var code = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow());
        await factors.Authenticators.ConfirmAsync(userId, "Phone", pending, code, factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.Equal(CodeCheck.Replayed, await factors.Authenticators.VerifyAsync(userId, code));
    }

    [Fact]
    public async Task Verify_FiftyConcurrentUsesOfOneCode_SucceedExactlyOnce()
    {
        var pending = await factors.EnrollAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(1));
        var code = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow());

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => factors.Authenticators.VerifyAsync(userId, code))));

        Assert.Equal(1, results.Count(r => r == CodeCheck.Accepted));
        Assert.Equal(49, results.Count(r => r == CodeCheck.Replayed));
    }

    [Fact]
    public async Task Confirm_WrongCode_SavesNothing()
    {
        var pending = Authenticators.Offer("Tessera", "ada@example.com");
        var wrong = OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow().AddMinutes(10));

        var id = await factors.Authenticators.ConfirmAsync(userId, "Phone", pending, wrong, factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.Null(id);
        Assert.Equal(0, await factors.Authenticators.CountAsync(userId));
    }

    [Fact]
    public async Task Offer_MakesA160BitRandomSecret()
    {
        var first = Authenticators.Offer("Tessera", "ada@example.com");
        var second = Authenticators.Offer("Tessera", "ada@example.com");

        Assert.Equal(20, first.Secret.Length);
        Assert.NotEqual(first.Secret, second.Secret);
    }

    [Fact]
    public async Task RenameAndRemove_OnlyTouchTheOwnersAuthenticator()
    {
        await factors.EnrollAsync(userId);
        var stranger = await factors.AddUserAsync("mallory@example.com");
        var id = (await factors.Authenticators.ListAsync(userId)).Single().Id;

        var renamedByStranger = await factors.Authenticators.RenameAsync(stranger, id, "mine now");
        var removedByStranger = await factors.Lifecycle.RemoveAsync(stranger, FactorKind.AuthenticatorApp, id, factors.Database.StepUpProofs.Issue(stranger, StepUpPurposes.RemoveAuthenticator)) == FactorRemoval.Removed;
        var renamed = await factors.Authenticators.RenameAsync(userId, id, "  Work phone  ");

        Assert.False(renamedByStranger);
        Assert.False(removedByStranger);
        Assert.True(renamed);
        Assert.Equal("Work phone", (await factors.Authenticators.ListAsync(userId)).Single().Name);
        Assert.True(await factors.Lifecycle.RemoveAsync(userId, FactorKind.AuthenticatorApp, id, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RemoveAuthenticator)) == FactorRemoval.Removed);
        Assert.Empty(await factors.Authenticators.ListAsync(userId));
    }
}
