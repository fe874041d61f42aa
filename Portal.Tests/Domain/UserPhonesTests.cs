using Tessera.Domain.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class UserPhonesTests : IAsyncLifetime
{
    private const string Number = "+447700900123";

    private PhonesFixture fixture = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        fixture = await PhonesFixture.CreateAsync();
        userId = await fixture.Factors.AddUserAsync();
    }

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task AddAsync_ValidNumber_IsListedMaskedAndUnverified()
    {
        var added = await fixture.Phones.AddAsync(userId, "07700 900123", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        var phone = Assert.Single(await fixture.Phones.ListAsync(userId));
        Assert.Null(added.Error);
        Assert.Equal("+44 •••• ••• 123", phone.Masked);
        Assert.Equal("GB", phone.Region);
        Assert.False(phone.Verified);
        Assert.Empty(await fixture.Phones.ListVerifiedAsync(userId));
    }

    [Fact]
    public async Task AddAsync_NotANumber_ReturnsTheParseErrorAndStoresNothing()
    {
        var added = await fixture.Phones.AddAsync(userId, "call me maybe", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        Assert.Null(added.Phone);
        Assert.Contains("not a phone number", added.Error);
        Assert.Empty(await fixture.Phones.ListAsync(userId));
    }

    [Fact]
    public async Task AddAsync_SameNumberWrittenDifferently_IsRefusedAsADuplicate()
    {
        await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        var again = await fixture.Phones.AddAsync(userId, "+44 (0)7700 900-123", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        Assert.Null(again.Phone);
        Assert.Equal("That number is already on your account.", again.Error);
        Assert.Single(await fixture.Phones.ListAsync(userId));
    }

    [Fact]
    public async Task AddAsync_SameNumberForAnotherUser_IsAllowed()
    {
        var other = await fixture.Factors.AddUserAsync("grace@example.com");
        await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        var added = await fixture.Phones.AddAsync(other, Number, fixture.Database.StepUpProofs.Issue(other, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        Assert.Null(added.Error);
    }

    [Fact]
    public async Task AddAsync_BeyondTheCap_IsRefused()
    {
        for (var i = 0; i < UserPhones.MaxPhonesPerUser; i++)
        {
            Assert.Null((await fixture.Phones.AddAsync(userId, $"+44770090010{i}", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Error);
        }

        var extra = await fixture.Phones.AddAsync(userId, "+447700900199", fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        Assert.Null(extra.Phone);
        Assert.Contains($"up to {UserPhones.MaxPhonesPerUser}", extra.Error);
        Assert.Equal(UserPhones.MaxPhonesPerUser, (await fixture.Phones.ListAsync(userId)).Count);
    }

    [Fact]
    public async Task ConfirmAsync_TheTextedCode_VerifiesThePhone_AndTurnsOnTheSecondStep()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);

        var check = await fixture.Phones.ConfirmAsync(userId, phone.Id, await fixture.LatestCodeAsync(Number));

        Assert.Equal(PhoneVerification.Verified, check.Outcome);
        Assert.True(Assert.Single(await fixture.Phones.ListVerifiedAsync(userId)).Verified);
        await using var db = await fixture.Database.Factory.CreateDbContextAsync();
        Assert.True(await db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync());
    }

    [Fact]
    public async Task ConfirmAsync_WrongCode_LeavesThePhoneUnverified()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);
        var code = await fixture.LatestCodeAsync(Number);

        var check = await fixture.Phones.ConfirmAsync(userId, phone.Id, code[0] == '0' ? "1" + code[1..] : "0" + code[1..]);

        Assert.Equal(PhoneVerification.WrongCode, check.Outcome);
        Assert.Equal(4, check.AttemptsLeft);
        Assert.Empty(await fixture.Phones.ListVerifiedAsync(userId));
    }

    [Fact]
    public async Task ConfirmAsync_AnotherUsersPhone_VerifiesNothing()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);
        var mallory = await fixture.Factors.AddUserAsync("mallory@example.com");

        var check = await fixture.Phones.ConfirmAsync(mallory, phone.Id, await fixture.LatestCodeAsync(Number));

        Assert.Equal(PhoneVerification.NeedsNewCode, check.Outcome);
        Assert.Empty(await fixture.Phones.ListVerifiedAsync(userId));
    }

    [Fact]
    public async Task ConfirmAsync_WithoutASentCode_NeedsANewCode()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;

        var check = await fixture.Phones.ConfirmAsync(userId, phone.Id, "123456");

        Assert.Equal(PhoneVerification.NeedsNewCode, check.Outcome);
    }

    [Fact]
    public async Task SendVerificationCodeAsync_AgainWithinTheCooldown_IsRefusedWithTheWait()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);

        var again = await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);
        fixture.Database.Time.Advance(TimeSpan.FromSeconds(31));
        var later = await fixture.Phones.SendVerificationCodeAsync(userId, phone.Id);

        Assert.False(again.Sent);
        Assert.Equal(30, again.RetryAfterSeconds);
        Assert.True(later.Sent);
    }

    [Fact]
    public async Task RemoveAsync_VerifiedPhone_RemovesIt_AndTurnsOffTheSecondStep()
    {
        var phone = await fixture.AddVerifiedAsync(userId, Number);

        var removed = await fixture.Factors.Lifecycle.RemoveAsync(userId, FactorKind.Phone, phone.Id, fixture.Database.StepUpProofs.Issue(userId, StepUpPurposes.ChangePhone));

        Assert.Equal(FactorRemoval.Removed, removed);
        Assert.Empty(await fixture.Phones.ListAsync(userId));
        await using var db = await fixture.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync());
    }

    [Fact]
    public async Task RemoveAsync_AnotherUsersPhone_RemovesNothing()
    {
        var phone = (await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone))).Phone!;
        var mallory = await fixture.Factors.AddUserAsync("mallory@example.com");

        var removed = await fixture.Factors.Lifecycle.RemoveAsync(mallory, FactorKind.Phone, phone.Id, fixture.Database.StepUpProofs.Issue(mallory, StepUpPurposes.ChangePhone));

        Assert.Equal(FactorRemoval.NotFound, removed);
        Assert.Single(await fixture.Phones.ListAsync(userId));
    }

    [Fact]
    public async Task EveryStep_IsAudited()
    {
        var phone = await fixture.AddVerifiedAsync(userId, Number);
        await fixture.Factors.Lifecycle.RemoveAsync(userId, FactorKind.Phone, phone.Id, fixture.Database.StepUpProofs.Issue(userId, StepUpPurposes.ChangePhone));

        var types = (await fixture.Database.AuditLog.RecentAsync(50, subjectId: userId)).Select(e => e.Type).ToList();

        Assert.Contains(AuditEventTypes.PhoneAdded, types);
        Assert.Contains(AuditEventTypes.PhoneVerified, types);
        Assert.Contains(AuditEventTypes.PhoneRemoved, types);
    }

    [Fact]
    public async Task StoredNumber_IsEncrypted_AndFoundByItsKeyedHash()
    {
        await fixture.Phones.AddAsync(userId, Number, fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        // Plain ADO.NET: what is really in the file, behind EF's converters.
        await using var connection = new SqliteConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Number || '|' || NumberHash || '|' || Masked FROM UserPhones";
        var raw = (string)(await command.ExecuteScalarAsync())!;
        var found = await fixture.Phones.FindUsersAsync("07700 900123");

        Assert.StartsWith("v1:", raw);
        Assert.DoesNotContain("7700900123", raw);
        Assert.DoesNotContain(Convert.ToBase64String("+447700900123"u8.ToArray()), raw);
        Assert.Equal([userId], found);
        Assert.Empty(await fixture.Phones.FindUsersAsync("+447700900124"));
    }

    [Fact]
    public async Task AddAsync_WhenTheUserAlreadyHasAFactor_NeedsAStepUpProof()
    {
        await fixture.AddVerifiedAsync(userId, Number);

        var withoutProof = await fixture.Phones.AddAsync(userId, "+447700900456", null);
        var withProof = await fixture.Phones.AddAsync(userId, "+447700900456",
            fixture.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));

        Assert.Null(withoutProof.Phone);
        Assert.NotNull(withProof.Phone);
        Assert.Equal(2, (await fixture.Phones.ListAsync(userId)).Count);
    }
}
