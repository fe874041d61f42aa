using System.Buffers.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Real ceremonies: Fido2 verifies responses that a software authenticator signs, over a real SQLite database.</summary>
public sealed class PasskeysTests : IAsyncLifetime
{
    private static readonly Guid OnePassword = Guid.Parse("bada5566-a7aa-401f-bd96-45619a55120d");

    private readonly SoftwareAuthenticator authenticator = new(OnePassword);
    private FactorsFixture factors = null!;
    private Passkeys passkeys = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        passkeys = factors.CreatePasskeys();
        userId = await factors.AddUserAsync();
    }

    public async Task DisposeAsync()
    {
        authenticator.Dispose();
        await factors.DisposeAsync();
    }

    [Fact]
    public async Task RegisterThenAssert_GenuineAuthenticator_BothSucceed()
    {
        var registered = await RegisterAsync(authenticator, userId);

        var start = await passkeys.BeginAssertionAsync(userId);
        var asserted = await passkeys.CompleteAssertionAsync(start.ChallengeId, authenticator.Assert(start.OptionsJson), userId);

        Assert.True(registered.Succeeded, registered.Error);
        Assert.True(asserted.Succeeded, asserted.Error);
        Assert.Equal(userId, asserted.UserId);
        Assert.Equal(registered.PasskeyId, asserted.PasskeyId);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyVerified, AuditOutcome.Success));
    }

    [Fact]
    public async Task CompleteRegistration_Genuine_StoresCredentialNamedAfterModelAndSetsTwoFactor()
    {
        await RegisterAsync(authenticator, userId, name: "  ");

        var summary = Assert.Single(await passkeys.ListAsync(userId));
        Assert.Equal("1Password", summary.Name);
        Assert.Equal("1Password", summary.Model);
        Assert.True(summary.Synced);
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var row = await db.PasskeyCredentials.SingleAsync();
        Assert.Equal(authenticator.CredentialId, row.CredentialId);
        Assert.Equal("internal,hybrid", row.Transports);
        Assert.Equal("none", row.AttestationFormat);
        Assert.True((await db.Users.SingleAsync(u => u.Id == userId)).TwoFactorEnabled);
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyAdded, AuditOutcome.Success));
    }

    [Fact]
    public async Task BeginRegistration_Options_CarryARandomChallengeOfAtLeast16BytesAndRequireUserVerification()
    {
        var first = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        var second = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        var options = JsonNode.Parse(first.OptionsJson)!;
        var challenge = Base64Url.DecodeFromChars(options["challenge"]!.GetValue<string>());
        Assert.True(challenge.Length >= 16);
        Assert.NotEqual(options["challenge"]!.GetValue<string>(), JsonNode.Parse(second.OptionsJson)!["challenge"]!.GetValue<string>());
        Assert.Equal("required", options["authenticatorSelection"]!["userVerification"]!.GetValue<string>());
        Assert.Equal("preferred", options["authenticatorSelection"]!["residentKey"]!.GetValue<string>());
        Assert.Equal(Passkeys.UserHandleOf(userId), Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BeginRegistration_UserWithAPasskey_ExcludesIt()
    {
        await RegisterAsync(authenticator, userId);

        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        var excluded = Assert.Single(JsonNode.Parse(start.OptionsJson)!["excludeCredentials"]!.AsArray());
        Assert.Equal(authenticator.CredentialId, Base64Url.DecodeFromChars(excluded!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CompleteRegistration_WrongOrigin_IsRefused()
    {
        var result = await RegisterAsync(authenticator, userId, new CeremonyInput { Origin = "https://evil.example" });

        Assert.False(result.Succeeded);
        Assert.Contains("Origin", result.Error);
        Assert.Equal(0, await passkeys.CountAsync(userId));
        Assert.True(await AuditedAsync(AuditEventTypes.PasskeyAdded, AuditOutcome.Failure));
    }

    [Fact]
    public async Task CompleteRegistration_WrongRpId_IsRefused()
    {
        var result = await RegisterAsync(authenticator, userId, new CeremonyInput { RpId = "evil.example" });

        Assert.False(result.Succeeded);
        Assert.Contains("InvalidRpidHash", result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_SameResponseTwice_SecondIsRefused()
    {
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        var response = authenticator.Register(start.OptionsJson);
        await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, response, "Laptop");

        var again = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, response, "Laptop");

        Assert.False(again.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, again.Error);
        Assert.Equal(1, await passkeys.CountAsync(userId));
    }

    [Fact]
    public async Task CompleteRegistration_AfterTheTimeout_IsRefused()
    {
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        factors.Database.Time.Advance(TimeSpan.FromSeconds(301));

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, authenticator.Register(start.OptionsJson), "Laptop");

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_ChallengeOfAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        var start = await passkeys.BeginRegistrationAsync(other, "grace@example.com");

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, authenticator.Register(start.OptionsJson), "Laptop");

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_WithoutUserVerification_IsRefused()
    {
        var result = await RegisterAsync(authenticator, userId, new CeremonyInput { UserVerified = false });

        Assert.False(result.Succeeded);
        Assert.Contains("UserVerificationRequirementNotMet", result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_WithoutUserVerificationWhenNotRequired_Succeeds()
    {
        passkeys = factors.CreatePasskeys(o => o.RequireUserVerification = false);

        var result = await RegisterAsync(authenticator, userId, new CeremonyInput { UserVerified = false });

        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_AaguidNotInTheAllowList_IsRefused()
    {
        passkeys = factors.CreatePasskeys(o => o.AllowedAaguids = [Guid.Parse("fbfc3007-154e-4ecc-8c0b-6e020557d7bd")]);

        var result = await RegisterAsync(authenticator, userId);

        Assert.False(result.Succeeded);
        Assert.Contains(OnePassword.ToString(), result.Error);
        Assert.Equal(0, await passkeys.CountAsync(userId));
    }

    [Fact]
    public async Task CompleteRegistration_AaguidInTheAllowList_Succeeds()
    {
        passkeys = factors.CreatePasskeys(o => o.AllowedAaguids = [OnePassword]);

        var result = await RegisterAsync(authenticator, userId);

        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_CredentialIdRegisteredToAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        await RegisterAsync(authenticator, other);
        using var copy = new SoftwareAuthenticator(OnePassword, authenticator.CredentialId);

        var result = await RegisterAsync(copy, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("NonUniqueCredentialId", result.Error);
        Assert.Equal(0, await passkeys.CountAsync(userId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"AA\",\"attestationObject\":\"AA\"}}")]
    public async Task CompleteRegistration_Garbage_IsRefusedWithoutThrowing(string json)
    {
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, json, "Laptop");

        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
    }

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
        Assert.False(await passkeys.RemoveAsync(userId, id));
        Assert.Equal(1, await passkeys.CountAsync(other));
    }

    [Fact]
    public async Task Remove_LastPasskey_ClearsTwoFactorAndAudits()
    {
        var id = (await RegisterAsync(authenticator, userId)).PasskeyId!.Value;

        var removed = await passkeys.RemoveAsync(userId, id);

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

    private async Task<PasskeyResult> RegisterAsync(SoftwareAuthenticator device, string user, CeremonyInput? input = null, string name = "Laptop")
    {
        var start = await passkeys.BeginRegistrationAsync(user, user);
        return await passkeys.CompleteRegistrationAsync(user, start.ChallengeId, device.Register(start.OptionsJson, input), name);
    }

    private async Task<PasskeyResult> AssertAsync(SoftwareAuthenticator device, string user, CeremonyInput? input = null)
    {
        var start = await passkeys.BeginAssertionAsync(user);
        return await passkeys.CompleteAssertionAsync(start.ChallengeId, device.Assert(start.OptionsJson, input), user);
    }

    private async Task<bool> AuditedAsync(string type, AuditOutcome outcome)
    {
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.AnyAsync(e => e.Type == type && e.Outcome == outcome);
    }
}
