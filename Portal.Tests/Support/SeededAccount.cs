using System.Net;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A user with something in every encrypted and personal table: an authenticator app ("Work phone app"), a verified
/// phone (+447700900123, which put an SMS in the outbox), recovery codes, a signed-in session and some activity.
/// </summary>
public static class SeededAccount
{
    public const string Password = "correct horse battery staple";
    public const string Number = "+447700900123";

    public static async Task<(ApplicationUser User, byte[] Secret, HttpClient Client)> CreateAsync(TesseraFactory factory, string email)
    {
        var user = await factory.CreateUserAsync(email, Password);
        var proofs = factory.Services.GetRequiredService<StepUpProofs>();
        var pending = Authenticators.Offer("Tessera", email);
        var added = await factory.Services.GetRequiredService<Authenticators>().ConfirmAsync(user.Id, "Work phone app", pending,
            OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow), proofs.Issue(user.Id, StepUpPurposes.AddFactor));
        Assert.NotNull(added);
        var phones = factory.Services.GetRequiredService<UserPhones>();
        var phone = (await phones.AddAsync(user.Id, "07700 900123", proofs.Issue(user.Id, StepUpPurposes.ChangePhone))).Phone!;
        Assert.True((await phones.SendVerificationCodeAsync(user.Id, phone.Id)).Sent);
        var code = await SmsInbox.WaitForCodeAsync(factory.Services, Number);
        Assert.Equal(PhoneVerification.Verified, (await phones.ConfirmAsync(user.Id, phone.Id, code)).Outcome);

        var client = factory.CreateBrowserlessClient();
        var login = await SignIn.PostLoginAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var second = await TotpEnrollment.PostCodeAsync(client, new Uri(client.BaseAddress!, login.Headers.Location!), TotpEnrollment.NextStepCode(pending.Secret));
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
        return (user, pending.Secret, client);
    }
}
