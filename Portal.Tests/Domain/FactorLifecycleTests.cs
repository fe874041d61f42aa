using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>One lifecycle for every kind of factor: first recovery codes, security emails, removal rules, counts.</summary>
public sealed class FactorLifecycleTests : IAsyncLifetime
{
    private PhonesFixture fixture = null!;
    private string userId = "";

    private FactorsFixture Factors => fixture.Factors;

    private FactorLifecycle Lifecycle => Factors.Lifecycle;

    public async Task InitializeAsync()
    {
        fixture = await PhonesFixture.CreateAsync();
        userId = await Factors.AddUserAsync("ada@example.com");
    }

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task TheFirstFactor_OfAnyKind_IssuesTheFirstRecoveryCodes_AndOnlyIt()
    {
        await fixture.AddVerifiedAsync(userId, "+447700900123");
        var first = await RecoveryCodeRowsAsync();
        await Factors.EnrollAsync(userId, "Phone app");

        Assert.Equal(10, first);
        Assert.Equal(10, await RecoveryCodeRowsAsync());
        Assert.Equal(10, await Factors.RecoveryCodes.RemainingAsync(userId));
    }

    [Fact]
    public async Task AddingAndRemovingAFactor_EmailsTheUser_AndAuditsBoth()
    {
        await Factors.EnrollAsync(userId, "Work phone");
        var added = Assert.Single(await Lifecycle.ListAsync(userId));

        var removed = await Lifecycle.RemoveAsync(userId, added.Kind, added.Id, Proof(StepUpPurposes.RemoveAuthenticator));

        Assert.Equal(FactorRemoval.Removed, removed);
        var notices = await NoticesAsync();
        Assert.Equal(["A sign-in factor was added to your Tessera account", "A sign-in factor was removed from your Tessera account"], notices.Select(n => n.Subject).Order());
        Assert.All(notices, n => Assert.Equal("ada@example.com", n.Recipient));
        Assert.Contains("The authenticator app \"Work phone\" was removed", notices.Single(n => n.Subject.Contains("removed")).TextBody);
        var types = (await Factors.Database.AuditLog.RecentAsync(20, subjectId: userId)).Select(e => (e.Type, e.Outcome)).ToList();
        Assert.Contains((AuditEventTypes.AuthenticatorAdded, AuditOutcome.Success), types);
        Assert.Contains((AuditEventTypes.AuthenticatorRemoved, AuditOutcome.Success), types);
        Assert.False((await Factors.Database.Factory.CreateDbContext().Users.SingleAsync(u => u.Id == userId)).TwoFactorEnabled);
    }

    [Fact]
    public async Task Remove_WithoutAProof_KeepsTheFactor_SendsNothing_AndAuditsTheRefusal()
    {
        var phone = await fixture.AddVerifiedAsync(userId, "+447700900123");
        var before = (await NoticesAsync()).Count;

        var removed = await Lifecycle.RemoveAsync(userId, FactorKind.Phone, phone.Id, null);

        Assert.Equal(FactorRemoval.StepUpRequired, removed);
        Assert.Single(await Lifecycle.ListAsync(userId));
        Assert.Equal(before, (await NoticesAsync()).Count);
        var refused = (await Factors.Database.AuditLog.RecentAsync(20, subjectId: userId)).First(e => e.Type == AuditEventTypes.PhoneRemoved);
        Assert.Equal(AuditOutcome.Failure, refused.Outcome);
    }

    [Fact]
    public async Task AnUnverifiedPhone_IsNoFactor_AndGoesWithoutAnEmail()
    {
        var pending = (await fixture.Phones.AddAsync(userId, "+447700900456", null)).Phone!;

        Assert.False(await Lifecycle.HasSecondFactorAsync(userId));
        Assert.Empty(await Lifecycle.ListAsync(userId));
        Assert.Equal(FactorRemoval.Removed, await Lifecycle.RemoveAsync(userId, FactorKind.Phone, pending.Id, Proof(StepUpPurposes.ChangePhone)));
        Assert.Empty(await NoticesAsync());
    }

    [Fact]
    public async Task CountByUser_CountsEveryKind_VerifiedPhonesIncluded()
    {
        var other = await Factors.AddUserAsync("grace@example.com");
        await Factors.EnrollAsync(userId);
        await fixture.AddVerifiedAsync(userId, "+447700900123");
        await fixture.AddVerifiedAsync(other, "+447700900456");
        await fixture.Phones.AddAsync(other, "+447700900789", Factors.Database.StepUpProofs.Issue(other, StepUpPurposes.ChangePhone));

        var counts = await Lifecycle.CountByUserAsync([userId, other, "nobody"]);

        Assert.Equal(2, counts[userId]);
        Assert.Equal(1, counts[other]);
        Assert.False(counts.ContainsKey("nobody"));
        Assert.Equal([FactorKind.AuthenticatorApp, FactorKind.Phone], (await Lifecycle.ListAsync(userId)).Select(f => f.Kind));
    }

    private StepUpProof Proof(string purpose) => Factors.Database.StepUpProofs.Issue(userId, purpose);

    private async Task<int> RecoveryCodeRowsAsync()
    {
        await using var db = await Factors.Database.Factory.CreateDbContextAsync();
        return await db.RecoveryCodes.CountAsync(c => c.UserId == userId);
    }

    private async Task<List<Tessera.Domain.Delivery.OutboundMessage>> NoticesAsync()
    {
        await using var db = await Factors.Database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().Where(m => m.Purpose == SecurityNotices.Purpose).ToListAsync();
    }
}
