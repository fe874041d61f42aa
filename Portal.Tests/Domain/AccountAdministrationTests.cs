using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The admin actions over the real services of the app (real Identity, real SQLite file).</summary>
public sealed class AccountAdministrationTests : IClassFixture<TesseraFactory>
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory;

    public AccountAdministrationTests(TesseraFactory factory) => this.factory = factory;

    [Fact]
    public async Task LockAsync_OtherUser_LocksUntilUnlockedAndRotatesTheStamp()
    {
        var (admin, user) = await AdminAndUserAsync("lock");

        var result = await ActAsync(a => a.LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount)));

        Assert.True(result.Succeeded);
        var stored = await StoredAsync(user.Id);
        Assert.True(stored.LockoutEnabled);
        Assert.True(stored.LockoutEnd > DateTimeOffset.UtcNow.AddYears(1000));
        Assert.NotEqual(user.SecurityStamp, stored.SecurityStamp);
        await AssertAuditedAsync(AuditEventTypes.UserLocked, admin.Id, user.Id);
        Assert.Contains("An administrator locked your account", await LastNoticeToAsync(user.Email!));
    }

    [Fact]
    public async Task AdminActions_WithoutTheActingAdminsOwnProof_AreRefused()
    {
        var (admin, user) = await AdminAndUserAsync("stepup");
        var proofs = factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>();

        var withoutProof = await ActAsync(a => a.LockAsync(user.Id, admin.Id, null));
        var withTheUsersProof = await ActAsync(a => a.LockAsync(user.Id, admin.Id, proofs.Issue(user.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount)));
        var withAnotherPurpose = await ActAsync(a => a.LockAsync(user.Id, admin.Id, proofs.Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.GrantAdmin)));
        await using var scope = factory.Services.CreateAsyncScope();
        var grant = await scope.ServiceProvider.GetRequiredService<UserDirectory>().SetAdminAsync(user.Id, true, admin.Id, null);

        Assert.All([withoutProof, withTheUsersProof, withAnotherPurpose, grant], r => Assert.Equal("StepUpRequired", Assert.Single(r.Errors).Code));
        Assert.False((await StoredAsync(user.Id)).LockoutEnd > DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Lifecycle.ResetAsync(user.Id, admin.Id, null));
    }

    [Fact]
    public async Task LockAsync_Self_IsRefused()
    {
        var (admin, _) = await AdminAndUserAsync("self-lock");

        var result = await ActAsync(a => a.LockAsync(admin.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount)));

        Assert.False(result.Succeeded);
        Assert.Equal("SelfLock", Assert.Single(result.Errors).Code);
        Assert.Null((await StoredAsync(admin.Id)).LockoutEnd);
    }

    [Fact]
    public async Task UnlockAsync_LockedUser_ClearsLockoutAndFailures()
    {
        var (admin, user) = await AdminAndUserAsync("unlock");
        await ActAsync(a => a.LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount)));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 2));
        }

        var result = await ActAsync(a => a.UnlockAsync(user.Id, admin.Id));

        Assert.True(result.Succeeded);
        var stored = await StoredAsync(user.Id);
        Assert.Null(stored.LockoutEnd);
        Assert.Equal(0, stored.AccessFailedCount);
        await AssertAuditedAsync(AuditEventTypes.UserUnlocked, admin.Id, user.Id);
    }

    [Fact]
    public async Task ResetAsync_UserWithFactors_RemovesThemAllClearsTwoFactorAndEmailsTheUser()
    {
        var (admin, user) = await AdminAndUserAsync("reset");
        await EnrollEverythingAsync(user.Id);
        Assert.True((await StoredAsync(user.Id)).TwoFactorEnabled);

        var reset = await Lifecycle.ResetAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.ResetSecondFactors));

        Assert.Equal(new FactorsReset(1, 1, 10, 0), reset);
        Assert.Empty(await Lifecycle.ListAsync(user.Id));
        Assert.Equal(0, await factory.Services.GetRequiredService<Authenticators>().CountAsync(user.Id));
        Assert.Equal(0, await factory.Services.GetRequiredService<Passkeys>().CountAsync(user.Id));
        Assert.Equal(0, await factory.Services.GetRequiredService<RecoveryCodes>().RemainingAsync(user.Id));
        Assert.False((await StoredAsync(user.Id)).TwoFactorEnabled);
        var audited = await AssertAuditedAsync(AuditEventTypes.SecondFactorsReset, admin.Id, user.Id);
        Assert.Equal("authenticators=1; passkeys=1; recovery_codes=10", audited.Detail);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var notice = await db.OutboundMessages.Where(m => m.Purpose == SecurityNotices.Purpose).OrderBy(m => m.Id).LastAsync();
        Assert.Equal(user.Email, notice.Recipient);
        Assert.Contains("sign-in factors were reset", notice.Subject);
    }

    [Fact]
    public async Task RevokeSessionsAsync_User_RotatesTheStamp()
    {
        var (admin, user) = await AdminAndUserAsync("revoke");

        var result = await ActAsync(a => a.RevokeSessionsAsync(user.Id, admin.Id));

        Assert.True(result.Succeeded);
        Assert.NotEqual(user.SecurityStamp, (await StoredAsync(user.Id)).SecurityStamp);
        await AssertAuditedAsync(AuditEventTypes.SessionsRevoked, admin.Id, user.Id);
        var told = await LastNoticeToAsync(user.Email!);
        Assert.Contains("An administrator ended every session of your account", told);
        Assert.Contains("/Account/NotMe?token=", told);
    }

    private async Task<string> LastNoticeToAsync(string email)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // The recipient is stored encrypted: compared after reading.
        var notices = await db.OutboundMessages.Where(m => m.Purpose == SecurityNotices.Purpose).OrderBy(m => m.Id).ToListAsync();
        return notices.Last(m => m.Recipient == email).TextBody!;
    }

    [Fact]
    public async Task SetAdminAsync_RemovingAnotherAdmin_NeedsTheActorsOwnStepUp()
    {
        var (admin, _) = await AdminAndUserAsync("remove-admin");
        var other = await factory.CreateUserAsync("other-admin-remove-admin@example.com", Password, Roles.Admin);
        var proofs = factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>();

        await using var scope = factory.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var withoutProof = await directory.SetAdminAsync(other.Id, false, admin.Id, null);
        var withTheGrantProof = await directory.SetAdminAsync(other.Id, false, admin.Id, proofs.Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.GrantAdmin));
        var withProof = await directory.SetAdminAsync(other.Id, false, admin.Id, proofs.Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.RemoveAdmin));

        Assert.Equal("StepUpRequired", Assert.Single(withoutProof.Errors).Code);
        Assert.Equal("StepUpRequired", Assert.Single(withTheGrantProof.Errors).Code);
        Assert.True(withProof.Succeeded);
        Assert.DoesNotContain(Roles.Admin, await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Tessera.Domain.Accounts.ApplicationUser>>()
            .GetRolesAsync(await factory.FindUserAsync(other.Id)));
    }

    [Fact]
    public async Task SetAdminAsync_OwnDemotion_IsRefused()
    {
        var (admin, _) = await AdminAndUserAsync("self-demote");
        // Another admin exists, so only the self rule can refuse.
        await factory.CreateUserAsync("other-admin-self-demote@example.com", Password, Roles.Admin);

        await using var scope = factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserDirectory>().SetAdminAsync(admin.Id, false, admin.Id, null);

        Assert.False(result.Succeeded);
        Assert.Equal("SelfDemotion", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public async Task SearchAsync_EmailFragmentInAnyCase_FindsOnlyMatches_AndTheLifecycleCountsTheirFactors()
    {
        var (_, user) = await AdminAndUserAsync("search-Needle");
        await EnrollEverythingAsync(user.Id);

        var page = await ActAsync(a => a.SearchAsync("NEEDLE-user", 0, 25));

        var found = Assert.Single(page.Items);
        Assert.Equal(1, page.TotalCount);
        Assert.Equal(user.Id, found.Id);
        Assert.Equal(2, (await Lifecycle.CountByUserAsync([found.Id]))[found.Id]);
        Assert.False(found.IsAdmin);
    }

    [Fact]
    public async Task SearchAsync_Pages_SplitsTheMatchesInEmailOrder()
    {
        foreach (var n in new[] { 3, 1, 2 })
        {
            await factory.CreateUserAsync($"paged-{n}@example.com", Password);
        }

        var second = await ActAsync(a => a.SearchAsync("paged-", 1, 2));

        Assert.Equal(3, second.TotalCount);
        Assert.Equal(["paged-3@example.com"], second.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task DetailAsync_UserWithFactors_TheLifecycleListsThemOfEveryKind()
    {
        var (_, user) = await AdminAndUserAsync("detail");
        await EnrollEverythingAsync(user.Id);

        var detail = await ActAsync(a => a.DetailAsync(user.Id));

        Assert.NotNull(detail);
        var factors = await Lifecycle.ListAsync(user.Id);
        Assert.Equal([(FactorKind.AuthenticatorApp, "Phone"), (FactorKind.Passkey, "Laptop")], factors.Select(f => (f.Kind, f.Name)));
        Assert.Equal(10, await factory.Services.GetRequiredService<RecoveryCodes>().RemainingAsync(user.Id));
    }

    private FactorLifecycle Lifecycle => factory.Services.GetRequiredService<FactorLifecycle>();

    private async Task<T> ActAsync<T>(Func<AccountAdministration, Task<T>> act)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<AccountAdministration>());
    }

    private async Task<(ApplicationUser Admin, ApplicationUser User)> AdminAndUserAsync(string name) =>
        (await factory.CreateUserAsync($"{name}-admin@example.com", Password, Roles.Admin),
         await factory.CreateUserAsync($"{name}-user@example.com", Password));

    private async Task<ApplicationUser> StoredAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(userId))!;
    }

    /// <summary>One authenticator app, one passkey (a stored row: the ceremony is tested elsewhere) and ten recovery codes.</summary>
    private async Task EnrollEverythingAsync(string userId)
    {
        var pending = Authenticators.Offer("Tessera", userId);
        Assert.NotNull(await factory.Services.GetRequiredService<Authenticators>()
            .ConfirmAsync(userId, "Phone", pending, OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow), proof: null));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.PasskeyCredentials.Add(new PasskeyCredential
            {
                UserId = userId,
                CredentialId = Guid.NewGuid().ToByteArray(),
                PublicKey = [1, 2, 3],
                UserHandle = Passkeys.UserHandleOf(userId),
                Name = "Laptop",
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        // The authenticator was the first factor: its confirmation issued the first recovery codes.
        Assert.Null(await factory.Services.GetRequiredService<RecoveryCodes>().IssueFirstAsync(userId));
    }

    private async Task<AuditEvent> AssertAuditedAsync(string type, string actorId, string subjectId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(subjectId);
        var recorded = await db.AuditEvents.Where(e => e.Type == type && e.SubjectId == subject).SingleAsync();
        Assert.Equal(await factory.AuditNameAsync(actorId), recorded.ActorId);
        Assert.Equal(AuditOutcome.Success, recorded.Outcome);
        return recorded;
    }
}
