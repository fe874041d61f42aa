using System.Net;
using System.Text.RegularExpressions;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Accounts;

/// <summary>The "This wasn't me" link of a security email: it asks first, then signs the account out everywhere, once.</summary>
public sealed partial class NotMeTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();

    [Fact]
    public async Task OpeningTheLink_ChangesNothing_ConfirmingSignsOutEverySession_AndTheLinkThenFails()
    {
        var user = await factory.CreateUserAsync("not-me@example.com", Password);
        using var signedIn = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(signedIn, user.Email!, Password);
        var token = factory.Services.GetRequiredService<NotMeLinks>().Issue(user.Id, "password-changed");
        using var owner = factory.CreateBrowserlessClient();
        var path = $"/Account/NotMe?token={token}";

        var page = await owner.GetStringAsync(path);
        Assert.Contains("Sign out everywhere", page);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/security")).StatusCode);

        var confirmed = await ConfirmAsync(owner, path, page);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.EndsWith("/Account/ForgotPassword", confirmed.Target());
        Assert.Equal(HttpStatusCode.Redirect, (await signedIn.GetAsync("/security")).StatusCode);
        Assert.Empty(await factory.Services.GetRequiredService<UserSessions>().ListActiveAsync(user.Id));

        var again = await ConfirmAsync(owner, path, await owner.GetStringAsync(path));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("expired or was already used", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConfirmingAnAlreadyUsedLink_SignsNothingOut()
    {
        var user = await factory.CreateUserAsync("not-me-twice@example.com", Password);
        var token = factory.Services.GetRequiredService<NotMeLinks>().Issue(user.Id, "factor-added");
        using var owner = factory.CreateBrowserlessClient();
        var path = $"/Account/NotMe?token={token}";
        var page = await owner.GetStringAsync(path);
        await ConfirmAsync(owner, path, page);
        using var later = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(later, user.Email!, Password);

        var replay = await ConfirmAsync(owner, path, page);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await later.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task ConfirmingTheLink_EndsASignInWaitingForItsSecondStep()
    {
        var user = await factory.CreateUserAsync("not-me-pending@example.com", Password);
        await TotpEnrollment.EnrollAsync(factory, user.Id, user.Email!);
        using var intruder = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(intruder, user.Email!, Password);
        Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await intruder.GetAsync(password.Headers.Location!)).StatusCode);
        var token = factory.Services.GetRequiredService<NotMeLinks>().Issue(user.Id, "locked-failed-attempts");
        using var owner = factory.CreateBrowserlessClient();
        var path = $"/Account/NotMe?token={token}";
        await ConfirmAsync(owner, path, await owner.GetStringAsync(path));

        var secondStep = await intruder.GetAsync(password.Headers.Location!);

        Assert.Equal(HttpStatusCode.Redirect, secondStep.StatusCode);
        Assert.Equal("/Account/Login", secondStep.TargetPath());
        Assert.Equal(HttpStatusCode.Redirect, (await intruder.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task TheLinkInTheEmailChangedNotice_GivesTheAccountBackToTheOldAddress_AndSignsTheChangerOut()
    {
        var user = await factory.CreateUserAsync("rightful@example.com", Password);
        using var intruder = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(intruder, user.Email!, Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<AccountSettings>();
            var request = await settings.RequestEmailChangeAsync(user.Id, Password, "intruder@example.net");
            Assert.True(await settings.ConfirmEmailChangeAsync(user.Id, request.NewAddress, request.Token));
        }
        Assert.Equal("intruder@example.net", (await factory.FindUserAsync(user.Id)).Email);
        var notice = Assert.Single(await OutboxMail.BodiesToAsync(factory, "rightful@example.com"), b => b.Contains("is now", StringComparison.Ordinal));
        var path = $"/Account/NotMe?token={NotMeLinkRegex().Match(notice).Groups[1].Value}";
        using var owner = factory.CreateBrowserlessClient();

        var page = await owner.GetStringAsync(path);
        var confirmed = await ConfirmAsync(owner, path, page);

        Assert.Contains(Tessera.Domain.Contacts.EmailAddresses.Mask("rightful@example.com"), WebUtility.HtmlDecode(page));
        Assert.EndsWith("/Account/ForgotPassword", confirmed.Target());
        var restored = await factory.FindUserAsync(user.Id);
        Assert.Equal("rightful@example.com", restored.Email);
        Assert.Equal("rightful@example.com", restored.UserName);
        Assert.True(restored.EmailConfirmed);
        Assert.Equal(HttpStatusCode.Redirect, (await intruder.GetAsync("/security")).StatusCode);
        // The owner signs in with their own address again; the intruder's no longer names the account.
        await SignIn.SignInAsync(factory.CreateBrowserlessClient(), "rightful@example.com", Password);
        var intruderAddress = await SignIn.PostLoginAsync(factory.CreateBrowserlessClient(), "intruder@example.net", Password);
        Assert.DoesNotContain("/security", intruderAddress.Headers.Location?.OriginalString ?? "");
    }

    private static Task<HttpResponseMessage> ConfirmAsync(HttpClient client, string path, string page) =>
        client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "not-me",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenRegex().Match(page).Groups[1].Value),
            ["token"] = WebUtility.HtmlDecode(HiddenTokenRegex().Match(page).Groups[1].Value),
        }));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex HiddenTokenRegex();

    [GeneratedRegex("/Account/NotMe\\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex NotMeLinkRegex();

    public void Dispose() => factory.Dispose();
}
