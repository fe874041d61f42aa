using System.Net;
using Microsoft.Data.Sqlite;
using OtpNet;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>Password, then an authenticator code or a recovery code, over HTTP against the real app.</summary>
public sealed class TwoFactorSignInTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "4");

    [Fact]
    public async Task Password_ThenAuthenticatorCode_SignsIn()
    {
        var (email, secret) = await UserWithAuthenticatorAsync("two-step@example.com");
        using var client = factory.CreateBrowserlessClient();

        var password = await SignIn.PostLoginAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.Contains("/Account/LoginWith2fa", password.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);

        var verified = await PostCodeAsync(client, password.Headers.Location!, NextStepCode(secret));

        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task PasswordAlone_StartsNoSession_TheSecondStepStartsOneNamingTheMethod()
    {
        var (email, secret) = await UserWithAuthenticatorAsync("session-method@example.com");
        string userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Tessera.Domain.Accounts.ApplicationUser>>();
            userId = (await users.FindByEmailAsync(email))!.Id;
        }
        var sessions = factory.Services.GetRequiredService<Tessera.Domain.Accounts.UserSessions>();
        using var client = factory.CreateBrowserlessClient();

        var password = await SignIn.PostLoginAsync(client, email, Password);
        Assert.Empty(await sessions.ListActiveAsync(userId));
        await PostCodeAsync(client, password.Headers.Location!, NextStepCode(secret));

        Assert.Equal("password and authenticator app", Assert.Single(await sessions.ListActiveAsync(userId)).Method);
    }

    [Fact]
    public async Task TheLastWrongCodes_SayHowManyAttemptsAreLeft()
    {
        var (email, _) = await UserWithAuthenticatorAsync("counting-codes@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, email, Password);

        // Four tries for the steps after the password: the first wrong code leaves three (not said), then two, then one.
        var pages = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            pages.Add(await (await PostCodeAsync(client, password.Headers.Location!, "000000")).Content.ReadAsStringAsync());
        }

        Assert.DoesNotContain("attempts left", pages[0]);
        Assert.Contains("2 attempts left before your account is locked", pages[1]);
        Assert.Contains("1 attempt left before your account is locked", pages[2]);
    }

    [Fact]
    public async Task WrongCodes_LockTheAccount_AndEndThePendingSignIn()
    {
        var (email, _) = await UserWithAuthenticatorAsync("guesser@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, email, Password);

        HttpResponseMessage last = default!;
        for (var i = 0; i < 4; i++)
        {
            last = await PostCodeAsync(client, password.Headers.Location!, "000000");
        }

        Assert.Equal(HttpStatusCode.Redirect, last.StatusCode);
        Assert.Equal("/Account/Lockout", last.TargetPath());
        // The guess that locked emails the owner, once, with the way to take the account back.
        var locked = Assert.Single(await OutboxMail.BodiesToAsync(factory, email), b => b.Contains("locked", StringComparison.Ordinal));
        Assert.Contains("too many wrong codes at the second step", locked);
        Assert.Contains("someone else knows your password", locked);
        Assert.Contains("/Account/NotMe?token=", locked);
        var pending = await client.GetAsync(password.Headers.Location!);
        Assert.Equal(HttpStatusCode.Redirect, pending.StatusCode);
        Assert.Contains("/Account/Login", pending.Headers.Location!.ToString());
    }

    [Fact]
    public async Task WrongCode_ShowsAClearMessage_AndStaysOnThePage()
    {
        var (email, _) = await UserWithAuthenticatorAsync("typo@example.com");
        using var client = factory.CreateBrowserlessClient();
        var password = await SignIn.PostLoginAsync(client, email, Password);

        var response = await PostCodeAsync(client, password.Headers.Location!, "000000");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That code is not valid", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SecretColumn_HoldsNoPlaintext()
    {
        var (_, secret) = await UserWithAuthenticatorAsync("stored@example.com");

        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Secret FROM TotpAuthenticators";
        var stored = (string)(await command.ExecuteScalarAsync())!;

        Assert.StartsWith("v1:", stored);
        Assert.DoesNotContain(Base32Encoding.ToString(secret).TrimEnd('='), stored);
        Assert.DoesNotContain(Convert.ToBase64String(secret), stored);
        Assert.DoesNotContain(Convert.ToHexString(secret), stored, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(string Email, byte[] Secret)> UserWithAuthenticatorAsync(string email)
    {
        var user = await factory.CreateUserAsync(email, Password);
        return (email, await TotpEnrollment.EnrollAsync(factory, user.Id, email));
    }

    private static string NextStepCode(byte[] secret) => TotpEnrollment.NextStepCode(secret);

    private static Task<HttpResponseMessage> PostCodeAsync(HttpClient client, Uri page, string code) => TotpEnrollment.PostCodeAsync(client, page, code);

    public void Dispose() => factory.Dispose();
}
