using Tessera.Domain.Factors;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class MfaRequirementTests
{
    private static readonly string[] Admin = ["User", "Admin"];

    [Fact]
    public async Task InsideTheGracePeriod_ASecondFactorIsOwed_ButNotYetForced()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await SetCreatedAsync(factors, userId, factors.Database.Time.GetUtcNow());
        var mfa = factors.Database.Mfa();

        factors.Database.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        var inside = await mfa.StatusAsync(userId, Admin);
        factors.Database.Time.Advance(TimeSpan.FromMinutes(1));
        var after = await mfa.StatusAsync(userId, Admin);

        Assert.True(inside.Owed);
        Assert.False(inside.MustEnrollNow);
        Assert.True(after.MustEnrollNow);
    }

    [Fact]
    public async Task GraceDaysZero_ForcesEnrolmentAtOnce_AndOnlyForTheNamedRoles()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await SetCreatedAsync(factors, userId, factors.Database.Time.GetUtcNow());
        var mfa = factors.Database.Mfa(new FixedPolicies(new PolicySet { Mfa = new MfaPolicy { GraceDays = 0 } }));

        Assert.True((await mfa.StatusAsync(userId, Admin)).MustEnrollNow);
        Assert.False((await mfa.StatusAsync(userId, ["User"])).Owed);
    }

    [Fact]
    public async Task TheGraceStartsAgain_WhenTheRoleIsGrantedLater()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await SetCreatedAsync(factors, userId, factors.Database.Time.GetUtcNow());
        factors.Database.Time.Advance(TimeSpan.FromDays(30));
        await factors.Database.AuditLog.RecordAsync(new AuditEntry(AuditEventTypes.RoleGranted, AuditOutcome.Success, SubjectId: userId, Detail: "role=Admin"));

        var status = await factors.Database.Mfa().StatusAsync(userId, Admin);

        Assert.True(status.Owed);
        Assert.False(status.Overdue);
        Assert.Equal(factors.Database.Time.GetUtcNow().AddDays(7), status.Deadline!.Value, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task WithAFactor_NothingIsOwed_ButAnAdminCannotRemoveTheLastOne()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await factors.AddToRoleAsync(userId, "Admin");
        await factors.EnrollAsync(userId);
        var only = Assert.Single(await factors.Lifecycle.ListAsync(userId));

        Assert.False((await factors.Database.Mfa().StatusAsync(userId, Admin)).Owed);
        Assert.Equal(FactorRemoval.LastFactorRequired, await factors.Lifecycle.RemoveAsync(userId, only.Kind, only.Id, RemovalProof(factors, userId)));
        Assert.Single(await factors.Lifecycle.ListAsync(userId));
        await factors.EnrollAsync(userId, "Second phone");
        Assert.Equal(FactorRemoval.Removed, await factors.Lifecycle.RemoveAsync(userId, only.Kind, only.Id, RemovalProof(factors, userId)));
    }

    [Fact]
    public async Task AUserOutsideTheRequiredRoles_MayRemoveTheirLastFactor()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await factors.AddToRoleAsync(userId, "User");
        await factors.EnrollAsync(userId);
        var only = Assert.Single(await factors.Lifecycle.ListAsync(userId));

        Assert.Equal(FactorRemoval.Removed, await factors.Lifecycle.RemoveAsync(userId, only.Kind, only.Id, RemovalProof(factors, userId)));
        Assert.Empty(await factors.Lifecycle.ListAsync(userId));
    }

    private static Tessera.Domain.Accounts.StepUpProof RemovalProof(FactorsFixture factors, string userId) =>
        factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.RemoveAuthenticator);

    [Theory]
    [InlineData(new[] { "Root" }, 7, "Mfa:RequiredForRoles")]
    [InlineData(new[] { "Admin", "Admin" }, 7, "Mfa:RequiredForRoles")]
    [InlineData(new[] { "Admin" }, 91, "Mfa:GraceDays")]
    [InlineData(new[] { "Admin" }, -1, "Mfa:GraceDays")]
    public void ThePolicy_IsValidated(string[] roles, int graceDays, string field) =>
        Assert.Contains(PolicyValidator.Validate(new PolicySet { Mfa = new MfaPolicy { RequiredForRoles = roles, GraceDays = graceDays } }), e => e.Field == field);

    [Fact]
    public void APolicyChange_IsAuditedFromTo() =>
        Assert.Contains("Mfa:GraceDays: 7 → 0", PolicyValidator.Describe(new PolicySet(), new PolicySet { Mfa = new MfaPolicy { GraceDays = 0 } }));

    private static async Task SetCreatedAsync(FactorsFixture factors, string userId, DateTimeOffset at)
    {
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CreatedAt, at));
    }
}
