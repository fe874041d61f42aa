using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Accounts;

/// <summary>Changing the password and the email address, the reset link's clear failure page, and the security emails.</summary>
public sealed class AccountBasicsTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const string NewPassword = "violin kettle marmalade";
    private readonly TesseraFactory factory = new();

    [Fact]
    public async Task ChangePassword_SigningOutOthers_RefusesTheOtherBrowserAtItsNextRequest_AndEmailsTheOwner()
    {
        var user = await factory.CreateUserAsync("change-pw@example.com", Password);
        using var mine = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(mine, user.Email!, Password);
        var mySession = Assert.Single(await Sessions.ListActiveAsync(user.Id)).Id;
        using var other = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(other, user.Email!, Password);

        var change = await ActAsync(s => s.ChangePasswordAsync(user.Id, Password, NewPassword, signOutOthers: true, mySession));

        Assert.True(change.Succeeded, string.Join(" ", change.Errors));
        Assert.Equal(1, change.OtherSessionsEnded);
        Assert.Equal(HttpStatusCode.OK, (await mine.GetAsync("/security")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/security")).StatusCode);
        var notice = Assert.Single(await NoticesToAsync(user.Email!), n => n.Subject.Contains("password was changed"));
        Assert.Contains("/Account/NotMe?token=", notice.TextBody);
        await SignIn.SignInAsync(factory.CreateBrowserlessClient(), user.Email!, NewPassword);
    }

    [Fact]
    public async Task ChangePassword_KeepingOthers_LeavesTheOtherBrowserSignedIn()
    {
        var user = await factory.CreateUserAsync("keep-others@example.com", Password);
        using var other = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(other, user.Email!, Password);

        var change = await ActAsync(s => s.ChangePasswordAsync(user.Id, Password, NewPassword, signOutOthers: false, currentSessionId: null));

        Assert.True(change.Succeeded);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/security")).StatusCode);
    }

    [Theory]
    [InlineData("password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData("weak-pw@example.com")]
    public async Task ChangePassword_ToACommonPasswordOrTheEmail_IsRefused_AndCostsNoFailure(string weak)
    {
        var user = await factory.CreateUserAsync("weak-pw@example.com", Password);

        var change = await ActAsync(s => s.ChangePasswordAsync(user.Id, Password, weak, true, null));

        Assert.False(change.Succeeded);
        Assert.NotEmpty(change.Errors);
        Assert.Equal(0, (await factory.FindUserAsync(user.Id)).AccessFailedCount);
        await SignIn.SignInAsync(factory.CreateBrowserlessClient(), user.Email!, Password);
    }

    [Fact]
    public async Task ChangePassword_WithAWrongCurrentPassword_IsRefused_AndCountsAsAFailure()
    {
        var user = await factory.CreateUserAsync("wrong-current@example.com", Password);

        var change = await ActAsync(s => s.ChangePasswordAsync(user.Id, "not my password", NewPassword, true, null));

        Assert.False(change.Succeeded);
        Assert.Equal(1, (await factory.FindUserAsync(user.Id)).AccessFailedCount);
    }

    [Fact]
    public async Task ChangeEmail_ChangesNothingUntilTheLinkIsFollowed_TellsTheOldAddress_AndTheLinkWorksOnce()
    {
        var user = await factory.CreateUserAsync("old-address@example.com", Password);

        var request = await ActAsync(s => s.RequestEmailChangeAsync(user.Id, Password, "New-Address@Example.com"));

        Assert.True(request.Accepted);
        Assert.Equal("old-address@example.com", (await factory.FindUserAsync(user.Id)).Email);
        Assert.Single(await NoticesToAsync("old-address@example.com"), n => n.Subject.Contains("is being changed"));
        Assert.True(await ActAsync(s => s.ConfirmEmailChangeAsync(user.Id, request.NewAddress, request.Token)));
        Assert.Equal("New-Address@example.com", (await factory.FindUserAsync(user.Id)).Email);
        Assert.Single(await NoticesToAsync("old-address@example.com"), n => n.Subject.Contains("was changed"));
        Assert.False(await ActAsync(s => s.ConfirmEmailChangeAsync(user.Id, request.NewAddress, request.Token)));
        await SignIn.SignInAsync(factory.CreateBrowserlessClient(), "New-Address@example.com", Password);
    }

    [Fact]
    public async Task ChangeEmail_OpeningTheLinkChangesNothing_OnlyItsButtonDoes()
    {
        var user = await factory.CreateUserAsync("scanned@example.com", Password);
        var request = await ActAsync(s => s.RequestEmailChangeAsync(user.Id, Password, "scanned-new@example.com"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Tessera.Portal.Components.Account.AccountLinks>()
                .SendEmailChangeAsync(user.Id, request.NewAddress!, request.Token!, "203.0.113.9");
        }
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, "scanned-new@example.com"));
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(mail, @"https?://\S+/Account/ConfirmEmailChange\?\S+").Value);
        using var client = factory.CreateBrowserlessClient();

        // A mail scanner (or the user) opens the link: a page with a button, nothing changed.
        var opened = await client.GetStringAsync(link.PathAndQuery);
        Assert.Contains("Confirm new address", opened);
        Assert.Equal("scanned@example.com", (await factory.FindUserAsync(user.Id)).Email);

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);
        var confirmed = await client.PostAsync(link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "confirm-email-change",
            ["__RequestVerificationToken"] = await SignIn.AntiforgeryTokenAsync(client, link.PathAndQuery),
            ["userId"] = query["userId"]!,
            ["email"] = query["email"]!,
            ["code"] = query["code"]!,
        }));

        Assert.Contains("Your email address is changed", await confirmed.Content.ReadAsStringAsync());
        Assert.Equal("scanned-new@example.com", (await factory.FindUserAsync(user.Id)).Email);
    }

    [Fact]
    public async Task ChangeEmail_TheLinkWorksFor24Hours_AndNotAMinuteMore()
    {
        var late = await factory.CreateUserAsync("change-late@example.com", Password);
        var inTime = await factory.CreateUserAsync("change-in-time@example.com", Password);

        // Tokens as Identity makes them, issued 24 h 1 min and 23 h 59 min ago (the provider reads the real clock).
        var expired = await ActAsync(async s => await s.ConfirmEmailChangeAsync(late.Id, "late-new@example.com",
            await ChangeEmailTokenIssuedAsync(late.Id, "late-new@example.com", TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1))));
        var fresh = await ActAsync(async s => await s.ConfirmEmailChangeAsync(inTime.Id, "in-time-new@example.com",
            await ChangeEmailTokenIssuedAsync(inTime.Id, "in-time-new@example.com", TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1))));

        Assert.False(expired);
        Assert.Equal("change-late@example.com", (await factory.FindUserAsync(late.Id)).Email);
        Assert.True(fresh);
        Assert.Equal("in-time-new@example.com", (await factory.FindUserAsync(inTime.Id)).Email);
    }

    [Fact]
    public async Task TheInvalidResetLinkPage_SaysTheConfiguredLifetime()
    {
        using var app = new TesseraFactory().With("Accounts:ResetLinkLifetime", "00:30:00");
        using var client = app.CreateBrowserlessClient();

        var page = await client.GetStringAsync("/Account/InvalidPasswordReset");

        Assert.Contains("works once, for 30 minutes", page);
        Assert.Contains("Request a new link", page);
    }

    [Fact]
    public async Task ChangeEmail_ToAnAddressThatHasAnAccount_AnswersTheSame_ButSendsNoLink()
    {
        var user = await factory.CreateUserAsync("wants-taken@example.com", Password);
        await factory.CreateUserAsync("taken@example.com", Password);

        var request = await ActAsync(s => s.RequestEmailChangeAsync(user.Id, Password, "taken@example.com"));

        Assert.True(request.Accepted);
        Assert.Null(request.Token);
        Assert.Equal("wants-taken@example.com", (await factory.FindUserAsync(user.Id)).Email);
    }

    [Fact]
    public async Task ResetLink_UsedTwice_OrWithAnotherAddress_ShowsTheClearPage()
    {
        var user = await factory.CreateUserAsync("reset-twice@example.com", Password);
        var other = await factory.CreateUserAsync("reset-other@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var link = await RequestResetLinkAsync(client, user.Email!);

        var first = await PasswordResetForm.SubmitAsync(client, link, user.Email!, NewPassword);
        var again = await PasswordResetForm.SubmitAsync(client, link, user.Email!, "another fine passphrase");
        var foreign = await PasswordResetForm.SubmitAsync(client, await RequestResetLinkAsync(client, user.Email!), other.Email!, NewPassword);

        Assert.EndsWith("/Account/ResetPasswordConfirmation", first.Target());
        Assert.EndsWith("/Account/InvalidPasswordReset", again.Target());
        Assert.EndsWith("/Account/InvalidPasswordReset", foreign.Target());
        var page = await client.GetStringAsync("/Account/InvalidPasswordReset");
        Assert.Contains("Request a new link", page);
        Assert.Single(await NoticesToAsync(user.Email!), n => n.Subject.Contains("password was reset"));
    }

    [Fact]
    public async Task ResetLink_AfterItsHour_ShowsTheClearPage()
    {
        var late = await factory.CreateUserAsync("reset-late@example.com", Password);
        var inTime = await factory.CreateUserAsync("reset-in-time@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        // Links as the app makes them, issued 61 and 59 minutes ago (the provider reads the real clock).
        var expired = await PasswordResetForm.SubmitAsync(client, await ResetLinkIssuedAsync(late.Id, TimeSpan.FromMinutes(61)), late.Email!, NewPassword);
        var fresh = await PasswordResetForm.SubmitAsync(client, await ResetLinkIssuedAsync(inTime.Id, TimeSpan.FromMinutes(59)), inTime.Email!, NewPassword);

        Assert.EndsWith("/Account/InvalidPasswordReset", expired.Target());
        Assert.EndsWith("/Account/ResetPasswordConfirmation", fresh.Target());
        await SignIn.SignInAsync(client, late.Email!, Password);
    }

    [Theory]
    [InlineData("password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData("new-user@example.com")]
    public async Task Register_WithACommonPasswordOrTheEmail_IsRefusedSayingWhy(string weak)
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Register");

        var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = "new-user@example.com",
            ["Input.Password"] = weak,
            ["Input.ConfirmPassword"] = weak,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(page.Contains("too easy to guess") || page.Contains("not your email address"), "the page says why");
        Assert.Null(await FindByEmailAsync("new-user@example.com"));
    }

    [Theory]
    [InlineData("password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData("reset-weak@example.com")]
    public async Task ResetPassword_ToACommonPasswordOrTheEmail_IsRefused(string weak)
    {
        var user = await factory.CreateUserAsync("reset-weak@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var response = await PasswordResetForm.SubmitAsync(client, await RequestResetLinkAsync(client, user.Email!), user.Email!, weak);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(page.Contains("too easy to guess") || page.Contains("not your email address"), "the page says why");
        await SignIn.SignInAsync(client, user.Email!, Password);
    }

    [Fact]
    public async Task TheRegisterPage_ShowsTheMinimumLength_TheServerEnforces()
    {
        using var client = factory.CreateBrowserlessClient();

        var page = await client.GetStringAsync("/Account/Register");

        Assert.Contains("At least 10 characters", page);
        Assert.Contains("minlength=\"10\"", page);
    }

    private UserSessions Sessions => factory.Services.GetRequiredService<UserSessions>();

    private async Task<T> ActAsync<T>(Func<AccountSettings, Task<T>> act)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<AccountSettings>());
    }

    private async Task<List<Tessera.Domain.Delivery.OutboundMessage>> NoticesToAsync(string address)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return (await db.OutboundMessages.AsNoTracking().Where(m => m.Purpose == SecurityNotices.Purpose).ToListAsync())
            .Where(m => string.Equals(m.Recipient, address, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private async Task<ApplicationUser?> FindByEmailAsync(string email)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
    }

    private async Task<Uri> RequestResetLinkAsync(HttpClient client, string email)
    {
        var before = (await OutboxMail.BodiesToAsync(factory, email)).Count(b => b.Contains("/Account/ResetPassword?"));
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
        await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
        }));
        var links = (await OutboxMail.BodiesToAsync(factory, email)).Where(b => b.Contains("/Account/ResetPassword?")).ToList();
        Assert.Equal(before + 1, links.Count);
        return PasswordResetForm.LinkIn(links[^1]);
    }

    /// <summary>A reset token in Identity's own format (creation time, user, purpose, stamp), protected as the provider protects it.</summary>
    private async Task<Uri> ResetLinkIssuedAsync(string userId, TimeSpan ago)
    {
        var user = await factory.FindUserAsync(userId);
        var protector = factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()
            .CreateProtector(Tessera.Portal.Hosting.PasswordResetTokenOptions.ProviderName);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((DateTimeOffset.UtcNow - ago).UtcTicks);
            writer.Write(user.Id);
            writer.Write("ResetPassword");
            writer.Write(user.SecurityStamp ?? "");
        }
        var token = Convert.ToBase64String(protector.Protect(stream.ToArray()));
        var code = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(token));
        return new Uri(new Uri("http://localhost"), $"/Account/ResetPassword?code={code}");
    }

    /// <summary>A change-email token of Identity's default provider, as if issued <paramref name="ago"/>.</summary>
    private async Task<string> ChangeEmailTokenIssuedAsync(string userId, string newAddress, TimeSpan ago)
    {
        var user = await factory.FindUserAsync(userId);
        var protector = factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()
            .CreateProtector("DataProtectorTokenProvider");
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((DateTimeOffset.UtcNow - ago).UtcTicks);
            writer.Write(user.Id);
            writer.Write($"ChangeEmail:{newAddress}");
            writer.Write(user.SecurityStamp ?? "");
        }
        return Convert.ToBase64String(protector.Protect(stream.ToArray()));
    }

    public void Dispose() => factory.Dispose();
}
