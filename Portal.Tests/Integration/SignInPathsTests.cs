using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Persistence;
using Tessera.Domain.SignIn;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// Every sign-in path goes through one service, and each one, given a proof that would sign a normal user in, refuses a
/// locked-out account and an unconfirmed email; the password step alone never signs in a user who owes a second factor.
/// </summary>
public sealed partial class SignInPathsTests : IDisposable
{
    private const string Password = "correct horse battery";
    private static readonly ClientContext Client = new("198.51.100.20", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0");
    private readonly TesseraFactory factory = new TesseraFactory().With("Policies:Otp:EmailAsSecondFactor", "true");
    private readonly SoftwareAuthenticator device = new();

    public enum Path
    {
        Password,
        Totp,
        RecoveryCode,
        EmailCode,
        SmsCode,
        PasskeySecondFactor,
        PasskeyPasswordless,
        QrApproval,
    }

    public enum State
    {
        Normal,
        LockedByAdmin,
        LockedByFailures,
        EmailUnconfirmed,
    }

    public static TheoryData<Path, State> Cases()
    {
        var data = new TheoryData<Path, State>();
        foreach (var path in Enum.GetValues<Path>())
        {
            foreach (var state in Enum.GetValues<State>())
            {
                data.Add(path, state);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryPath_SignsInANormalUser_AndRefusesALockedOrUnconfirmedOne(Path path, State state)
    {
        var user = await factory.CreateUserAsync($"{path}-{state}@example.com".ToLowerInvariant(), Password);
        var proof = await PrepareAsync(path, user);
        await ApplyAsync(state, user);

        var decision = await RunAsync(path, user, proof);

        var expected = state switch
        {
            State.LockedByAdmin or State.LockedByFailures => SignInStep.LockedOut,
            State.EmailUnconfirmed => SignInStep.NotAllowed,
            _ => SignInStep.Done,
        };
        Assert.Equal(expected, decision.Step);
        if (expected == SignInStep.LockedOut)
        {
            Assert.Equal(state == State.LockedByAdmin ? LockoutReason.Administrator : LockoutReason.FailedAttempts, decision.Lockout);
            Assert.Null(decision.Method);
        }
        if (expected == SignInStep.NotAllowed)
        {
            Assert.Equal(NotAllowedReason.EmailUnconfirmed, decision.NotAllowedBecause);
        }
        if (expected == SignInStep.Done)
        {
            Assert.Equal(user.Id, decision.UserId);
            Assert.NotNull(decision.Method);
        }
    }

    [Theory]
    [InlineData("true", "authenticator")]
    [InlineData("true", "passkey")]
    [InlineData("true", "phone")]
    [InlineData("false", "authenticator")]
    [InlineData("false", "passkey")]
    [InlineData("false", "phone")]
    public async Task ThePasswordAlone_NeverSignsInAUserWithASecondFactor_ConfirmedOrNot(string requireConfirmedEmail, string factor)
    {
        using var app = new TesseraFactory().With("Accounts:RequireConfirmedEmail", requireConfirmedEmail);
        var user = await app.CreateUserAsync($"bypass-{factor}@example.com", Password);
        await AddFactorAsync(app, user, factor);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Unconfirmed, as after registering with confirmation off: Identity's own second-factor gate then says "none".
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var row = (await users.FindByIdAsync(user.Id))!;
            row.EmailConfirmed = false;
            row.TwoFactorEnabled = false;
            await users.UpdateAsync(row);
        }
        using var client = app.CreateBrowserlessClient();

        var response = await SignIn.PostLoginAsync(client, user.Email!, Password);

        if (requireConfirmedEmail == "true")
        {
            Assert.Contains("Confirm your email", await response.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.StartsWith("/Account/LoginWith2fa", response.Target());
        }
        Assert.NotEqual(System.Net.HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    private async Task AddFactorAsync(TesseraFactory app, ApplicationUser user, string factor)
    {
        switch (factor)
        {
            case "authenticator":
                await TotpEnrollment.EnrollAsync(app, user.Id, user.Email!);
                break;
            case "passkey":
                var passkeys = app.Services.GetRequiredService<Passkeys>();
                var start = await passkeys.BeginRegistrationAsync(user.Id, user.Email!);
                Assert.True((await passkeys.CompleteRegistrationAsync(user.Id, start.ChallengeId, device.Register(start.OptionsJson), "Laptop", app.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(user.Id, Tessera.Domain.Accounts.StepUpPurposes.AddFactor))).Succeeded);
                break;
            default:
                await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
                {
                    // A verified phone as the phones page leaves it (the page's own flow is tested in PhoneFlowTests).
                    db.UserPhones.Add(new UserPhone
                    {
                        UserId = user.Id, Number = System.Text.Encoding.UTF8.GetBytes("+447700900123"), NumberHash = "bypass-test",
                        Masked = "+44 •••• ••• 123", Region = "GB", CreatedAt = DateTimeOffset.UnixEpoch, VerifiedAt = DateTimeOffset.UnixEpoch,
                    });
                    await db.SaveChangesAsync();
                }
                break;
        }
    }

    /// <summary>Makes the proof a normal user would give on this path, before the account's state is changed.</summary>
    private async Task<SignInProof?> PrepareAsync(Path path, ApplicationUser user)
    {
        switch (path)
        {
            case Path.Totp:
                return new TotpProof(TotpEnrollment.NextStepCode(await TotpEnrollment.EnrollAsync(factory, user.Id, user.Email!)));
            case Path.RecoveryCode:
                var codes = (await factory.Services.GetRequiredService<RecoveryCodes>().IssueFirstAsync(user.Id))!;
                return new RecoveryCodeProof(codes[0]);
            case Path.EmailCode:
                var sent = await factory.Services.GetRequiredService<SignInCodes>().SendAsync(user.Id, user.Email, CodeTarget.EmailKey, null, Client.IpAddress);
                Assert.True(sent.Sent, sent.Problem);
                var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, user.Email!));
                return new MessageCodeProof(sent.ChallengeId!.Value, CodeRegex().Match(mail).Value, null);
            case Path.SmsCode:
                var phones = factory.Services.GetRequiredService<UserPhones>();
                var phone = (await phones.AddAsync(user.Id, "07700 900123", proof: null)).Phone!;
                Assert.True((await phones.SendVerificationCodeAsync(user.Id, phone.Id)).Sent);
                Assert.Equal(PhoneVerification.Verified, (await phones.ConfirmAsync(user.Id, phone.Id, await SmsInbox.WaitForCodeAsync(factory.Services, "+447700900123"))).Outcome);
                var texted = await factory.Services.GetRequiredService<SignInCodes>().SendAsync(user.Id, user.Email, CodeTarget.PhoneKey(phone.Id), null, Client.IpAddress);
                Assert.True(texted.Sent, texted.Problem);
                return new MessageCodeProof(texted.ChallengeId!.Value, await SmsInbox.WaitForCodeAsync(factory.Services, "+447700900123", count: 2), phone.Id);
            case Path.PasskeySecondFactor or Path.PasskeyPasswordless:
                var passkeys = factory.Services.GetRequiredService<Passkeys>();
                var registration = await passkeys.BeginRegistrationAsync(user.Id, user.Email!);
                Assert.True((await passkeys.CompleteRegistrationAsync(user.Id, registration.ChallengeId, device.Register(registration.OptionsJson), "Laptop", factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(user.Id, Tessera.Domain.Accounts.StepUpPurposes.AddFactor))).Succeeded);
                var assertion = await passkeys.BeginAssertionAsync(path == Path.PasskeySecondFactor ? user.Id : null);
                return new PasskeyProof(assertion.ChallengeId, device.Assert(assertion.OptionsJson));
            case Path.QrApproval:
                var qr = factory.Services.GetRequiredService<QrSignIn>();
                var laptop = new QrDevice(Client.IpAddress, Client.UserAgent);
                var session = (await qr.CreateAsync(laptop)).Session!;
                Assert.NotNull(await qr.ScanAsync(session.Token, user.Id, laptop));
                Assert.Equal(QrSignInStatus.Approved, await qr.ApproveAsync(session.Token, user.Id, session.Number, laptop));
                return new QrApprovalProof(session.Id, session.BrowserNonce);
            default:
                return null;
        }
    }

    private async Task ApplyAsync(State state, ApplicationUser user)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        switch (state)
        {
            case State.LockedByAdmin:
                var admin = await factory.CreateUserAsync($"admin-{Guid.NewGuid():N}@example.com", Password, Roles.Admin);
                Assert.True((await scope.ServiceProvider.GetRequiredService<AccountAdministration>().LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount))).Succeeded);
                break;
            case State.LockedByFailures:
                // Wrong passwords from the user's network lock the password step there; wrong codes lock the steps after it.
                var signIn = scope.ServiceProvider.GetRequiredService<SignInService>();
                for (var i = 0; (await signIn.PasswordAsync(user.Email!, $"wrong {i}", Client)).Step != SignInStep.LockedOut; i++)
                {
                    Assert.True(i < 20, "Wrong passwords never locked the account.");
                }
                var attempts = scope.ServiceProvider.GetRequiredService<FailedAttempts>();
                for (var i = 0; !(await attempts.GuessAsync(user.Id, _ => Task.FromResult((GuessVerdict.Wrong, 0)))).LockedOut; i++)
                {
                    Assert.True(i < 20, "Wrong codes never locked the account.");
                }
                break;
            case State.EmailUnconfirmed:
                var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
                var row = (await users.FindByIdAsync(user.Id))!;
                row.EmailConfirmed = false;
                await users.UpdateAsync(row);
                break;
        }
    }

    private async Task<SignInDecision> RunAsync(Path path, ApplicationUser user, SignInProof? proof)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInService>();
        return path switch
        {
            Path.Password => await signIn.PasswordAsync(user.Email!, Password, Client),
            Path.PasskeyPasswordless or Path.QrApproval => await signIn.PasswordlessAsync(proof!, Client),
            _ => await signIn.CompleteAsync(user.Id, proof!, Client),
        };
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex CodeRegex();

    public void Dispose()
    {
        device.Dispose();
        factory.Dispose();
    }
}
