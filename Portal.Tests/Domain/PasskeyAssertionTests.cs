using Tessera.Domain.Accounts;
using System.Buffers.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Assertion ceremonies, genuine and refused, and managing stored passkeys.</summary>
public sealed class PasskeyAssertionTests : PasskeyTestBase
{
    [Fact]
    public async Task CompleteAssertion_SameResponseTwice_SecondIsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);
        var response = authenticator.Assert(start.OptionsJson);
        await passkeys.CompleteAssertionAsync(start.ChallengeId, response, userId);

        var again = await passkeys.CompleteAssertionAsync(start.ChallengeId, response, userId);

        Assert.False(again.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, again.Error);
    }

    [Fact]
    public async Task CompleteAssertion_ResponseToAnotherChallenge_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var first = await passkeys.BeginAssertionAsync(userId);
        var second = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(second.ChallengeId, authenticator.Assert(first.OptionsJson), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("Challenge", result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_AfterTheTimeout_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);
        factors.Database.Time.Advance(TimeSpan.FromSeconds(301));

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), userId);

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_RegistrationChallenge_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, "{}", userId);

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_WrongOrigin_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson, new CeremonyInput { Origin = "https://evil.example" }), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("Origin", result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_WrongRpId_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson, new CeremonyInput { RpId = "evil.example" }), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("InvalidRpidHash", result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_WithoutUserVerification_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson, new CeremonyInput { UserVerified = false }), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("UserVerificationRequirementNotMet", result.Error);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyVerified, AuditOutcome.Failure));
    }

    [Fact]
    public async Task CompleteAssertion_UnknownCredential_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        using var stranger = new SoftwareAuthenticator(OnePassword);
        var registration = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        stranger.Register(registration.OptionsJson);
        var start = await passkeys.BeginAssertionAsync(null);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, stranger.Assert(start.OptionsJson), null);

        Assert.False(result.Succeeded);
        Assert.Equal("unknown credential", result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_ForgedSignature_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        using var impostor = new SoftwareAuthenticator(OnePassword, authenticator.CredentialId);
        impostor.Register((await passkeys.BeginRegistrationAsync(userId, "ada@example.com")).OptionsJson);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, impostor.Assert(start.OptionsJson), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("InvalidSignature", result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_SignCountGoesBack_IsRefusedAndAuditedAsCloneSuspected()
    {
        await RegisterAsync(authenticator, userId);
        authenticator.SignCount = 5;
        await AssertAsync(authenticator, userId);
        authenticator.SignCount = 3;

        var result = await AssertAsync(authenticator, userId);

        Assert.False(result.Succeeded);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyCloneSuspected, AuditOutcome.Failure));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.Equal(5, (await db.PasskeyCredentials.SingleAsync()).SignCount);
    }

    [Fact]
    public async Task CompleteAssertion_SignCountRepeated_IsRefusedAndAuditedAsCloneSuspected()
    {
        await RegisterAsync(authenticator, userId);
        authenticator.SignCount = 5;
        await AssertAsync(authenticator, userId);
        authenticator.SignCount = 5;

        var result = await AssertAsync(authenticator, userId);

        Assert.False(result.Succeeded);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyCloneSuspected, AuditOutcome.Failure));
    }

    [Fact]
    public async Task CompleteAssertion_ZeroAfterANonZeroSignCount_IsRefusedAndAuditedAsCloneSuspected()
    {
        await RegisterAsync(authenticator, userId);
        authenticator.SignCount = 5;
        await AssertAsync(authenticator, userId);
        authenticator.SignCount = 0;

        var result = await AssertAsync(authenticator, userId);

        Assert.False(result.Succeeded);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyCloneSuspected, AuditOutcome.Failure));
    }

    [Fact]
    public async Task CompleteAssertion_SignCountAlwaysZero_IsAcceptedEachTime()
    {
        authenticator.Counting = false;
        await RegisterAsync(authenticator, userId);

        var first = await AssertAsync(authenticator, userId);
        var second = await AssertAsync(authenticator, userId);

        Assert.True(first.Succeeded, first.Error);
        Assert.True(second.Succeeded, second.Error);
    }

    [Fact]
    public async Task CompleteAssertion_CredentialOfAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        await RegisterAsync(authenticator, other);
        var start = await passkeys.BeginAssertionAsync(null);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), userId);

        Assert.False(result.Succeeded);
        Assert.Contains("another user", result.Error);
        Assert.Equal(userId, result.UserId);
    }

    [Fact]
    public async Task CompleteAssertion_ChallengeBegunForAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), other);

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_ChallengeBegunForAUserFinishedWithoutOne_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(userId);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), null);

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteAssertion_Discoverable_ReturnsTheOwner()
    {
        await factors.AddUserAsync("grace@example.com");
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(null);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), null);

        Assert.Empty(JsonNode.Parse(start.OptionsJson)!["allowCredentials"]!.AsArray());
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(userId, result.UserId);
    }

    [Fact]
    public async Task CompleteAssertion_DiscoverableWithoutUserHandle_IsRefused()
    {
        await RegisterAsync(authenticator, userId);
        var start = await passkeys.BeginAssertionAsync(null);

        var result = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson, new CeremonyInput { SendUserHandle = false }), null);

        Assert.False(result.Succeeded);
        Assert.Contains("user handle", result.Error);
    }

    [Fact]
    public async Task BeginAssertion_ForAUser_AllowsOnlyTheirCredentials()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        using var others = new SoftwareAuthenticator();
        await RegisterAsync(others, other);
        await RegisterAsync(authenticator, userId);

        var start = await passkeys.BeginAssertionAsync(userId);

        var allowed = Assert.Single(JsonNode.Parse(start.OptionsJson)!["allowCredentials"]!.AsArray());
        Assert.Equal(authenticator.CredentialId, Base64Url.DecodeFromChars(allowed!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CompleteAssertion_Genuine_RecordsCounterUseAndBackupState()
    {
        await RegisterAsync(authenticator, userId);
        factors.Database.Time.Advance(TimeSpan.FromHours(1));
        authenticator.SignCount = 7;

        await AssertAsync(authenticator, userId, new CeremonyInput { BackedUp = false });

        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var row = await db.PasskeyCredentials.SingleAsync();
        Assert.Equal(7, row.SignCount);
        Assert.Equal(factors.Database.Time.GetUtcNow(), row.LastUsedAt);
        Assert.False(row.IsBackedUp);
    }

    [Fact]
    public async Task Rename_OwnPasskey_TrimsAndCapsTheName()
    {
        var id = (await RegisterAsync(authenticator, userId)).PasskeyId!.Value;

        var renamed = await passkeys.RenameAsync(userId, id, "  " + new string('k', 80) + " ");

        Assert.True(renamed);
        Assert.Equal(new string('k', 64), Assert.Single(await passkeys.ListAsync(userId)).Name);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyRenamed, AuditOutcome.Success));
    }

    [Fact]
    public async Task Rename_PasskeyOfAnotherUser_ChangesNothing()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        var id = (await RegisterAsync(authenticator, other)).PasskeyId!.Value;

        Assert.False(await passkeys.RenameAsync(userId, id, "Mine now"));
        Assert.False(await factors.Lifecycle.RemoveAsync(userId, FactorKind.Passkey, id, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RemovePasskey)) == FactorRemoval.Removed);
        Assert.Equal(1, await passkeys.CountAsync(other));
    }

    [Fact]
    public async Task Remove_LastPasskey_ClearsTwoFactorAndAudits()
    {
        var id = (await RegisterAsync(authenticator, userId)).PasskeyId!.Value;

        var removed = await factors.Lifecycle.RemoveAsync(userId, FactorKind.Passkey, id, factors.Database.StepUpProofs.Issue(userId, StepUpPurposes.RemovePasskey)) == FactorRemoval.Removed;

        Assert.True(removed);
        Assert.Equal(0, await passkeys.CountAsync(userId));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.False((await db.Users.SingleAsync(u => u.Id == userId)).TwoFactorEnabled);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyRemoved, AuditOutcome.Success));
    }

    [Fact]
    public async Task RegisterThenAssert_FakeClockAYearFromTheRealOne_StillSucceeds()
    {
        // Expiry is ours (TimeProvider); Fido2 must not hold "none" attestations or assertions against the real clock.
        factors.Database.Time.Advance(TimeSpan.FromDays(365));
        await RegisterAsync(authenticator, userId);

        var result = await AssertAsync(authenticator, userId);

        Assert.True(result.Succeeded, result.Error);
    }
}
