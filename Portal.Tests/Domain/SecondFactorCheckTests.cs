using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class SecondFactorCheckTests
{
    [Fact]
    public async Task TwoHundredConcurrentWrongCodes_AreAllCounted()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 1000);
        var userId = await factors.AddUserAsync();
        await factors.EnrollAsync(userId);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() =>
            factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000"))));

        Assert.All(outcomes, o => Assert.Equal(SecondFactorOutcome.Failed, o));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.Equal(200, await db.Users.Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleAsync());
    }

    [Fact]
    public async Task TwoHundredConcurrentWrongCodes_LockOutAtTheThreshold_NeverLater()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 5);
        var userId = await factors.AddUserAsync();
        await factors.EnrollAsync(userId);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() =>
            factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000"))));

        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var checkedCodes = await db.AuditEvents.CountAsync(e => e.Type == AuditEventTypes.AuthenticatorVerified && e.Outcome == AuditOutcome.Failure);
        Assert.Equal(5, checkedCodes);
        // Five guesses are checked (and fail), the other 195 are refused unchecked. Whether one of the five reports
        // Failed or LockedOut depends on whether the fifth had already locked the account when it finished.
        Assert.DoesNotContain(SecondFactorOutcome.Succeeded, outcomes);
        Assert.True(outcomes.Count(o => o == SecondFactorOutcome.LockedOut) >= 195);
        Assert.True(await factors.Attempts.IsLockedOutAsync(userId));
    }

    [Fact]
    public async Task LockedOut_EvenTheRightCodeIsNotChecked()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 3);
        var userId = await factors.AddUserAsync();
        var pending = await factors.EnrollAsync(userId);
        for (var i = 0; i < 3; i++)
        {
            await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000");
        }
        factors.Database.Time.Advance(TimeSpan.FromMinutes(1));

        var outcome = await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator,
            OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow()));

        Assert.Equal(SecondFactorOutcome.LockedOut, outcome);
    }

    [Fact]
    public async Task AfterTheLockoutEnds_ARightCodeSucceeds_AndRestoresTheBudget()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 3);
        var userId = await factors.AddUserAsync();
        var pending = await factors.EnrollAsync(userId);
        for (var i = 0; i < 3; i++)
        {
            await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000");
        }
        factors.Database.Time.Advance(TimeSpan.FromMinutes(16));

        var outcome = await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator,
            OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow()));

        Assert.Equal(SecondFactorOutcome.Succeeded, outcome);
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.Users.Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleAsync());
        Assert.False(await factors.Attempts.IsLockedOutAsync(userId));
    }

    [Fact]
    public async Task ASuccess_ResetsTheFailuresBeforeIt()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 3);
        var userId = await factors.AddUserAsync();
        var pending = await factors.EnrollAsync(userId);
        await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000");
        await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000");
        factors.Database.Time.Advance(TimeSpan.FromMinutes(1));

        var success = await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow()));
        var afterwards = await factors.Check.VerifyAsync(userId, SecondFactorMethod.Authenticator, "000000");

        Assert.Equal(SecondFactorOutcome.Succeeded, success);
        Assert.Equal(SecondFactorOutcome.Failed, afterwards);
    }
}
