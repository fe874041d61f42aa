using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Challenges;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class SignInCodesTests : IAsyncLifetime
{
    private const string Number = "+447700900123";
    private const string Email = "ada@example.com";

    private PhonesFixture fixture = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        fixture = await PhonesFixture.CreateAsync(maxFailedAccessAttempts: 3);
        userId = await fixture.Factors.AddUserAsync(Email);
    }

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task TargetsAsync_OffersVerifiedPhonesOnly_AndNoEmailByDefault()
    {
        var verified = await fixture.AddVerifiedAsync(userId, Number);
        await fixture.Phones.AddAsync(userId, "+447700900456", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        var targets = await fixture.SignInCodes.TargetsAsync(userId, Email);

        var target = Assert.Single(targets);
        Assert.Equal(verified.Id, target.PhoneId);
        Assert.Equal("+44 •••• ••• 123", target.Masked);
    }

    [Fact]
    public async Task TargetsAsync_EmailAsSecondFactorPolicy_OffersTheMaskedAddress()
    {
        await using var withEmail = await PhonesFixture.CreateAsync(new PolicySet { Otp = new OtpPolicy { EmailAsSecondFactor = true } });
        var user = await withEmail.Factors.AddUserAsync(Email);

        var target = Assert.Single(await withEmail.SignInCodes.TargetsAsync(user, Email));

        Assert.Equal(CodeTarget.EmailKey, target.Key);
        Assert.Equal("a•••@example.com", target.Masked);
    }

    [Fact]
    public async Task SendAsync_Email_WhenThePolicyForbidsIt_SendsNothing()
    {
        var sent = await fixture.SignInCodes.SendAsync(userId, Email, CodeTarget.EmailKey, null, null);

        Assert.False(sent.Sent);
        await using var db = await fixture.Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.OtpChallenges.CountAsync());
    }

    [Fact]
    public async Task VerifyAsync_TheTextedCode_Succeeds_AndRestoresTheBudget()
    {
        var phone = await fixture.AddVerifiedAsync(userId, Number);
        var sent = await fixture.SignInCodes.SendAsync(userId, Email, CodeTarget.PhoneKey(phone.Id), null, null);

        var check = await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId!.Value, await fixture.LatestCodeAsync(Number), phone.Id);

        Assert.Equal(SecondFactorOutcome.Succeeded, check.Outcome);
        await using var db = await fixture.Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.Users.Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleAsync());
    }

    [Fact]
    public async Task VerifyAsync_WrongCode_CountsAgainstTheLockoutBudget()
    {
        var phone = await fixture.AddVerifiedAsync(userId, Number);
        var sent = await fixture.SignInCodes.SendAsync(userId, Email, CodeTarget.PhoneKey(phone.Id), null, null);
        var code = await fixture.LatestCodeAsync(Number);
        var wrong = code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

        var first = await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId!.Value, wrong, phone.Id);
        await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId.Value, wrong, phone.Id);
        var third = await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId.Value, wrong, phone.Id);
        var right = await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId.Value, code, phone.Id);

        Assert.Equal(SecondFactorOutcome.Failed, first.Outcome);
        Assert.Equal(4, first.AttemptsLeft);
        Assert.Equal(SecondFactorOutcome.LockedOut, third.Outcome);
        Assert.Equal(SecondFactorOutcome.LockedOut, right.Outcome);
    }

    [Fact]
    public async Task VerifyAsync_APhoneVerificationChallenge_DoesNotSignIn()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        var sent = await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);

        var check = await fixture.SignInCodes.VerifyAsync(userId, sent.ChallengeId!.Value, await fixture.LatestCodeAsync(Number), phone.Id);

        Assert.Equal(SecondFactorOutcome.Failed, check.Outcome);
        var view = await fixture.Challenges.GetAsync(sent.ChallengeId.Value, ChallengeBinding.ForUser(userId));
        Assert.Equal(ChallengeStatus.Pending, view!.Status);
    }

    [Fact]
    public async Task VerifyAsync_AnotherUsersChallenge_DoesNotSignIn()
    {
        var phone = await fixture.AddVerifiedAsync(userId, Number);
        var sent = await fixture.SignInCodes.SendAsync(userId, Email, CodeTarget.PhoneKey(phone.Id), null, null);
        var mallory = await fixture.Factors.AddUserAsync("mallory@example.com");

        var check = await fixture.SignInCodes.VerifyAsync(mallory, sent.ChallengeId!.Value, await fixture.LatestCodeAsync(Number), null);

        Assert.Equal(SecondFactorOutcome.Failed, check.Outcome);
    }
}
