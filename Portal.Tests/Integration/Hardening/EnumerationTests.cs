using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 7: a wrong password took 347 ms for an existing account and 41 ms for an unknown one; "confirm your email"
/// was shown for any password; Register said the address was taken; the reset form answered differently; the lockout
/// page appeared only for real accounts. Each answer now is the same whether the account exists or not.
/// </summary>
public sealed class EnumerationTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "3");

    [Fact]
    public async Task AWrongPassword_TakesAsLongForAnUnknownAccount_AsForARealOne()
    {
        using var timing = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "100").With("Accounts:MaxFailuresPerNetworkPerHour", "100000");
        await timing.CreateUserAsync("timed@example.com", Password);
        using var client = timing.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");
        await PostAsync(client, token, "warm-up@example.com", "wrong");

        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            // Interleaved, so that a slower moment of the machine weighs on both alike.
            known.Add(await TimeAsync(() => PostAsync(client, token, "timed@example.com", $"wrong {i}")));
            unknown.Add(await TimeAsync(() => PostAsync(client, token, $"nobody{i}@example.com", $"wrong {i}")));
        }

        var ratio = Median(unknown) / Median(known);
        Assert.InRange(ratio, 0.6, 1.67);
    }

    [Fact]
    public async Task AnUnconfirmedAccount_GetsTheGenericFailure_UnlessThePasswordIsRight()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.CreateAsync(new ApplicationUser { UserName = "unconfirmed@example.com", Email = "unconfirmed@example.com" }, Password)).Succeeded);
        }
        using var client = factory.CreateBrowserlessClient();

        var wrong = await (await SignIn.PostLoginAsync(client, "unconfirmed@example.com", "not the password")).Content.ReadAsStringAsync();
        var right = await (await SignIn.PostLoginAsync(client, "unconfirmed@example.com", Password)).Content.ReadAsStringAsync();

        Assert.Contains("Invalid sign-in attempt", wrong);
        Assert.DoesNotContain("Confirm your email", wrong);
        Assert.Contains("Confirm your email", right);
        Assert.Contains("Resend the confirmation email", right);
    }

    [Fact]
    public async Task RegisteringATakenAddress_AnswersLikeANewOne_AndEmailsTheOwner()
    {
        await factory.CreateUserAsync("taken@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var taken = await RegisterAsync(client, "taken@example.com");
        var fresh = await RegisterAsync(client, "fresh@example.com");

        Assert.Equal(HttpStatusCode.Redirect, taken.StatusCode);
        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(fresh.Target()!.Split('?')[0], taken.Target()!.Split('?')[0]);
        Assert.DoesNotContain("already taken", await taken.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var mail = Assert.Single(await OutboxMail.BodiesToAsync(factory, "taken@example.com"));
        Assert.Contains("already has one", mail);
    }

    [Fact]
    public async Task TheResetForm_AnswersTheSameForAKnownAndAnUnknownEmail()
    {
        await factory.CreateUserAsync("reset-known@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        var bogus = new Uri("http://localhost/Account/ResetPassword?code=Ym9ndXM");

        var known = await PasswordResetForm.SubmitAsync(client, bogus, "reset-known@example.com", "a new long password");
        var unknown = await PasswordResetForm.SubmitAsync(client, bogus, "reset-unknown@example.com", "a new long password");

        Assert.Equal(HttpStatusCode.Redirect, known.StatusCode);
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.EndsWith("/Account/InvalidPasswordReset", known.Target());
        Assert.Equal(known.Target(), unknown.Target());
        Assert.DoesNotContain("Invalid token", await client.GetStringAsync("/Account/InvalidPasswordReset"));
    }

    [Fact]
    public async Task TheLockoutPage_AppearsForAnUnknownAccount_AfterTheSameNumberOfTries()
    {
        await factory.CreateUserAsync("real-locked@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var real = new List<string?>();
        var unknown = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            real.Add((await SignIn.PostLoginAsync(client, "real-locked@example.com", "wrong")).TargetPath());
            unknown.Add((await SignIn.PostLoginAsync(client, "ghost@example.com", "wrong")).TargetPath());
        }

        Assert.Equal([null, null, "/Account/Lockout", "/Account/Lockout"], real);
        Assert.Equal(real, unknown);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string token, string email, string password) =>
        await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));

    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email)
    {
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Register");
        return await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        }));
    }

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        using var response = await send();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    public void Dispose() => factory.Dispose();
}
