using System.Buffers.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Registration ceremonies, genuine and refused.</summary>
public sealed class PasskeyRegistrationTests : PasskeyTestBase
{
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
    public async Task ASecondFactor_ComesOnlyWithAStepUpProof_WhetherPasskeyOrAuthenticatorApp()
    {
        // The first factor needs no proof (there is nothing to re-check with yet): an authenticator app.
        await factors.EnrollAsync(userId);
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        var pending = Tessera.Domain.Factors.Authenticators.Offer("Tessera", "ada@example.com");
        var code = Tessera.Domain.Factors.OneTimeCodes.ComputeTotp(pending.Secret, factors.Database.Time.GetUtcNow());

        var passkey = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, authenticator.Register(start.OptionsJson), "Laptop", proof: null);
        var app = await factors.Authenticators.ConfirmAsync(userId, "Second phone", pending, code, proof: null);

        Assert.False(passkey.Succeeded);
        Assert.Null(app);
        Assert.Equal(0, await passkeys.CountAsync(userId));
        Assert.Single(await factors.Authenticators.ListAsync(userId));
        var withProof = await factors.Authenticators.ConfirmAsync(userId, "Second phone", pending, code,
            factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));
        Assert.NotNull(withProof);
        Assert.Equal(2, (await factors.Authenticators.ListAsync(userId)).Count);
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
        await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, response, "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        var again = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, response, "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.False(again.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, again.Error);
        Assert.Equal(1, await passkeys.CountAsync(userId));
    }

    [Fact]
    public async Task CompleteRegistration_AfterTheTimeout_IsRefused()
    {
        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");
        factors.Database.Time.Advance(TimeSpan.FromSeconds(301));

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, authenticator.Register(start.OptionsJson), "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.False(result.Succeeded);
        Assert.Equal(Passkeys.ChallengeUnusable, result.Error);
    }

    [Fact]
    public async Task CompleteRegistration_ChallengeOfAnotherUser_IsRefused()
    {
        var other = await factors.AddUserAsync("grace@example.com");
        var start = await passkeys.BeginRegistrationAsync(other, "grace@example.com");

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, authenticator.Register(start.OptionsJson), "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

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

        var result = await passkeys.CompleteRegistrationAsync(userId, start.ChallengeId, json, "Laptop", factors.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));

        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
    }
}
