using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>A phone enrolled with a texted code, then password plus SMS code at sign-in, over HTTP against the real app.</summary>
public sealed partial class SmsSignInTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const string Number = "+447700900123";
    private readonly SwitchableSendLimiter limiter = new();
    private readonly TesseraFactory factory;

    public SmsSignInTests() =>
        factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "3").WithServices(services => services.AddSingleton<Tessera.Domain.Policies.ISendLimiter>(limiter));

    [Fact]
    public async Task VerifiedPhone_TurnsOnTheSecondStep_AndTheTextedCodeSignsIn()
    {
        var user = await UserWithVerifiedPhoneAsync("texter@example.com");
        using var client = factory.CreateBrowserlessClient();

        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
        var codePage = await SendCodeAsync(client, password.Headers.Location!);
        var code = await SmsInbox.WaitForCodeAsync(factory.Services, Number, count: 2);
        var signedIn = await PostCodeAsync(client, codePage, code);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
        var audit = await factory.Services.GetRequiredService<AuditLog>().RecentAsync(20, subjectId: user.Id);
        Assert.Contains(audit, e => e.Type == AuditEventTypes.SignIn && e.Outcome == AuditOutcome.Success && e.Detail == "with password and SMS code");
    }

    [Fact]
    public async Task WrongCode_IsRefused_AndCountsAgainstTheLockoutBudget()
    {
        var user = await UserWithVerifiedPhoneAsync("fumbler@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var codePage = await SendCodeAsync(client, password.Headers.Location!);
        var code = await SmsInbox.WaitForCodeAsync(factory.Services, Number, count: 2);

        var wrong = await PostCodeAsync(client, codePage, code[0] == '0' ? "1" + code[1..] : "0" + code[1..]);

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not valid", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(1, await AccessFailedCountAsync(user.Id));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task WrongCodes_UpToTheThreshold_LockTheAccount_AndEndThePendingSignIn()
    {
        var user = await UserWithVerifiedPhoneAsync("guesser@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var codePage = await SendCodeAsync(client, password.Headers.Location!);
        var code = await SmsInbox.WaitForCodeAsync(factory.Services, Number, count: 2);
        var wrong = code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

        var first = await (await PostCodeAsync(client, codePage, wrong)).Content.ReadAsStringAsync();
        var second = await (await PostCodeAsync(client, codePage, wrong)).Content.ReadAsStringAsync();
        var third = await PostCodeAsync(client, codePage, wrong);

        // Three tries in all: the page says how many are left before the account locks.
        Assert.Contains("2 attempts left before your account is locked", first);
        Assert.Contains("1 attempt left before your account is locked", second);
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        Assert.Equal("/Account/Lockout", third.TargetPath());
        var after = await client.GetAsync(codePage);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login", after.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SendRefusedByARateLimit_ShowsTheReason_NotAnError()
    {
        var user = await UserWithVerifiedPhoneAsync("pumped@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        limiter.Refusal = SwitchableSendLimiter.PerUser;

        var html = await client.GetStringAsync(password.Headers.Location!);
        var form = SendFormRegex().Match(html);
        var response = await client.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups["token"].Value),
            ["Send.Target"] = WebUtility.HtmlDecode(form.Groups["target"].Value),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You asked for too many codes. Try again in 20 minutes.", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task SendANewCode_WithinTheCooldown_SaysHowLongToWait()
    {
        var user = await UserWithVerifiedPhoneAsync("impatient@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var codePage = await SendCodeAsync(client, password.Headers.Location!);

        var html = await client.GetStringAsync(codePage);
        var again = await client.PostAsync(codePage, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenRegex().Match(html).Groups[1].Value),
            ["Send.Target"] = WebUtility.HtmlDecode(TargetRegex().Match(html).Groups[1].Value),
        }));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Matches("You can ask for a new one in [0-9]+ seconds", await again.Content.ReadAsStringAsync());
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(2, (await db.OutboundMessages.AsNoTracking().ToListAsync()).Count(m => m.Recipient == Number));
    }

    [Fact]
    public async Task EmailCode_WhenThePolicyAllowsIt_IsOfferedAndSignsIn()
    {
        factory.WithServices(services => services.AddSingleton<Tessera.Domain.Policies.IPolicies>(new EmailAllowed()));
        var user = await UserWithVerifiedPhoneAsync("mailer@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var html = WebUtility.HtmlDecode(await client.GetStringAsync(password.Headers.Location!));
        var form = SendFormRegex().Matches(html).Single(m => m.Groups["target"].Value == "email");
        var sent = await client.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = form.Groups["token"].Value,
            ["Send.Target"] = "email",
        }));
        var codePage = new Uri(client.BaseAddress!, sent.Headers.Location!);

        var code = await EmailCodeAsync(user.Email!);
        var signedIn = await PostCodeAsync(client, codePage, code);

        Assert.Contains("Email me a code", html);
        Assert.Contains("m•••@example.com", html);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task SecondStep_WithAnAppAndAPhone_OffersTheAppFirst_WithOneRememberBox_AndTheTextBehindTryAnotherWay()
    {
        var user = await UserWithVerifiedPhoneAsync("two-ways@example.com");
        await TotpEnrollment.EnrollAsync(factory, user.Id, user.Email!);
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync(password.Headers.Location!));

        var primary = html[html.IndexOf("t-method-primary", StringComparison.Ordinal)..html.IndexOf("Try another way", StringComparison.Ordinal)];
        Assert.Contains("Authenticator app", primary);
        Assert.DoesNotContain("Text me a code", primary);
        Assert.Contains("Text me a code", html[html.IndexOf("Try another way", StringComparison.Ordinal)..]);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "Remember this device"));
        var codeField = System.Text.RegularExpressions.Regex.Match(html, "<input[^>]*id=\"Input.Code\"[^>]*>").Value;
        Assert.Contains("inputmode=\"numeric\"", codeField);
        Assert.Contains("autocomplete=\"one-time-code\"", codeField);
        Assert.Contains("autofocus", codeField);
    }

    [Fact]
    public async Task CodePage_AfterSending_DisablesSendANewCode_WithACountdown()
    {
        var user = await UserWithVerifiedPhoneAsync("countdown@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);
        var codePage = await SendCodeAsync(client, new Uri(client.BaseAddress!, password.Headers.Location!));

        var html = WebUtility.HtmlDecode(await client.GetStringAsync(codePage));

        var button = System.Text.RegularExpressions.Regex.Match(html, "<button[^>]*resend-code[^>]*>").Value;
        Assert.Contains("disabled", button);
        Assert.Contains("data-cooldown-until", button);
        Assert.Matches("Send a new code \\(<span data-cooldown-seconds>(30|29|28)</span> s\\)", html);
    }

    [Fact]
    public async Task SecondFactorChoice_OffersTheMaskedPhone_AndNoEmailCodeByDefault()
    {
        var user = await UserWithVerifiedPhoneAsync("chooser@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, user.Email!, Password);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync(password.Headers.Location!));

        Assert.Contains("Text me a code", html);
        Assert.Contains("+44 •••• ••• 123", html);
        Assert.DoesNotContain("Email me a code", html);
        Assert.DoesNotContain(Number, html);
    }

    [Fact]
    public async Task AdminReset_RemovesThePhones_AndTheSecondStep()
    {
        var user = await UserWithVerifiedPhoneAsync("lost-phone@example.com");
        var admin = await factory.CreateUserAsync("admin@example.com", Password, Tessera.Domain.Accounts.Roles.Admin);

        var reset = await factory.Services.GetRequiredService<Tessera.Domain.Factors.FactorLifecycle>().ResetAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.ResetSecondFactors));
        using var client = factory.CreateBrowserlessClient();
        var signIn = await SignIn.PostLoginAsync(client, user.Email!, Password);

        Assert.Equal(1, reset!.Phones);
        Assert.Empty(await factory.Services.GetRequiredService<UserPhones>().ListAsync(user.Id));
        Assert.DoesNotContain("LoginWith2fa", signIn.Headers.Location!.ToString());
    }

    [Fact]
    public async Task CodePage_ForSomeoneWithoutAPendingSignIn_SendsToTheLoginPage()
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/Account/LoginWithCode?target=email");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }

    /// <summary>A user adds a phone and types the code texted to it, read from the outbox once delivered.</summary>
    private async Task<Tessera.Domain.Accounts.ApplicationUser> UserWithVerifiedPhoneAsync(string email)
    {
        var user = await factory.CreateUserAsync(email, Password);
        var phones = factory.Services.GetRequiredService<UserPhones>();
        var phone = (await phones.AddAsync(user.Id, "07700 900123", proof: null)).Phone!;
        Assert.True((await phones.SendVerificationCodeAsync(user.Id, phone.Id)).Sent);
        var code = await SmsInbox.WaitForCodeAsync(factory.Services, Number);
        Assert.Equal(PhoneVerification.Verified, (await phones.ConfirmAsync(user.Id, phone.Id, code)).Outcome);
        return user;
    }

    /// <summary>Presses "Text me a code" on the second-step page; returns the code page it leads to.</summary>
    private static async Task<Uri> SendCodeAsync(HttpClient client, Uri secondStep)
    {
        var html = await client.GetStringAsync(secondStep);
        var form = SendFormRegex().Match(html);
        Assert.True(form.Success, "No \"Text me a code\" form on the second-step page.");
        var response = await client.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups["token"].Value),
            ["Send.Target"] = WebUtility.HtmlDecode(form.Groups["target"].Value),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/LoginWithCode", response.Headers.Location!.ToString());
        return new Uri(client.BaseAddress!, response.Headers.Location!);
    }

    private static async Task<HttpResponseMessage> PostCodeAsync(HttpClient client, Uri page, string code)
    {
        var html = await client.GetStringAsync(page);
        var token = WebUtility.HtmlDecode(TokenRegex().Match(html).Groups[1].Value);
        var target = WebUtility.HtmlDecode(TargetRegex().Match(html).Groups[1].Value);
        return await client.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login-code",
            ["__RequestVerificationToken"] = token,
            ["Input.Target"] = target,
            ["Input.Code"] = code,
        }));
    }

    private async Task<string> EmailCodeAsync(string email)
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        for (var i = 0; i < 150; i++)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var body = (await db.OutboundMessages.AsNoTracking()
                .Where(m => m.Reference != null && m.Reference.StartsWith("challenge:") && m.Status == Tessera.Domain.Delivery.MessageStatus.Sent)
                .ToListAsync()).Where(m => m.Recipient == email).Select(m => m.TextBody).FirstOrDefault();
            if (body is not null)
            {
                return EmailCodeRegex().Match(body).Groups[1].Value;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"No code was emailed to {email}.");
        return "";
    }

    private sealed class EmailAllowed : Tessera.Domain.Policies.IPolicies
    {
        public ValueTask<Tessera.Domain.Policies.PolicySet> CurrentAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new Tessera.Domain.Policies.PolicySet { Otp = new Tessera.Domain.Policies.OtpPolicy { EmailAsSecondFactor = true } });
    }

    [GeneratedRegex(@"code is (\d{6,10})")]
    private static partial Regex EmailCodeRegex();

    private async Task<int> AccessFailedCountAsync(string userId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleAsync();
    }

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]+)\"[^>]*>\\s*<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"[^>]*>\\s*<input type=\"hidden\" name=\"_handler\" value=\"send-code\"[^>]*>\\s*<input type=\"hidden\" name=\"Send.Target\" value=\"(?<target>[^\"]+)\"")]
    private static partial Regex SendFormRegex();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    [GeneratedRegex("name=\"Input.Target\" value=\"([^\"]+)\"")]
    private static partial Regex TargetRegex();

    public void Dispose() => factory.Dispose();
}
