using System.Net;
using System.Net.Http.Json;
using Tessera.Portal.Tests.Integration.OtpApi;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Accounts;

/// <summary>
/// Emails are limited per mailbox, not per spelling: the case of an address and a "+tag" do not make a new inbox,
/// for account emails (forgot password) and for the API's email codes alike.
/// </summary>
public sealed class MailboxLimitTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task SixForgotPasswordRequests_InThreeSpellings_SendAtMostTheLimit_AndEveryAnswerIsTheSame()
    {
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerDestination:Limit", "2");
        await factory.CreateUserAsync("bob@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        string[] spellings = ["Bob@Example.com", "bob@example.com", "bob+x@example.com"];

        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
            var response = await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "forgot-password",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = spellings[i % 3],
            }));
            answers.Add($"{(int)response.StatusCode} {response.Headers.Location}");
        }

        Assert.Single(answers.Distinct());
        var links = (await OutboxMail.BodiesToAsync(factory, "bob@example.com")).Count(b => b.Contains("/Account/ResetPassword?"));
        Assert.Equal(2, links);
    }

    [Fact]
    public async Task ForgotPassword_ForTwoAccountsOfOneMailbox_CountsThemAsOneDestination()
    {
        // bob and bob+work are two accounts but one inbox: "+tag" is dropped for counting, so they share its limit.
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerDestination:Limit", "2");
        await factory.CreateUserAsync("dave@example.com", Password);
        await factory.CreateUserAsync("dave+work@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        foreach (var address in new[] { "dave@example.com", "dave+work@example.com", "Dave@Example.com", "dave+work@example.com" })
        {
            var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
            await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "forgot-password",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = address,
            }));
        }

        var sent = (await OutboxMail.BodiesToAsync(factory, "dave@example.com")).Count(b => b.Contains("/Account/ResetPassword?"))
            + (await OutboxMail.BodiesToAsync(factory, "dave+work@example.com")).Count(b => b.Contains("/Account/ResetPassword?"));
        Assert.Equal(2, sent);
    }

    [Fact]
    public async Task ResendConfirmation_AgainAndAgain_SendsAtMostTheLimit_AndEveryAnswerIsTheSame()
    {
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerDestination:Limit", "2");
        var erin = await factory.CreateUserAsync("erin@example.com", Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Tessera.Domain.Accounts.ApplicationUser>>();
            var row = (await users.FindByIdAsync(erin.Id))!;
            row.EmailConfirmed = false;
            await users.UpdateAsync(row);
        }
        using var client = factory.CreateBrowserlessClient();

        var answers = new List<string>();
        foreach (var spelling in new[] { "erin@example.com", "Erin@Example.com", "erin@example.com", "ERIN@example.com" })
        {
            var response = await PostAsync(client, "/Account/ResendEmailConfirmation", "resend-email-confirmation", spelling);
            answers.Add($"{(int)response.StatusCode} {MessageOf(await response.Content.ReadAsStringAsync())}");
        }

        Assert.Single(answers.Distinct());
        Assert.Equal(2, (await OutboxMail.BodiesToAsync(factory, "erin@example.com")).Count(b => b.Contains("/Account/ConfirmEmail?")));
    }

    [Fact]
    public async Task ChangeEmail_AgainAndAgain_SendsTheNewAddressAtMostTheLimit()
    {
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerDestination:Limit", "2");
        var user = await factory.CreateUserAsync("frank@example.com", Password);

        var accepted = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var request = await scope.ServiceProvider.GetRequiredService<Tessera.Domain.Accounts.AccountSettings>().RequestEmailChangeAsync(user.Id, Password, i % 2 == 0 ? "frank.new@example.com" : "Frank.New+x@example.com");
            accepted.Add(request.Accepted);
            // What the change-email card does with an accepted request: the link goes out through the limiter.
            if (request.Token is { } token)
            {
                await scope.ServiceProvider.GetRequiredService<Tessera.Portal.Components.Account.AccountLinks>().SendEmailChangeAsync(user.Id, request.NewAddress!, token, "203.0.113.9");
            }
        }

        // Every request answers the same; only two links go to the one new mailbox.
        Assert.All(accepted, Assert.True);
        var links = (await OutboxMail.BodiesToAsync(factory, "frank.new@example.com")).Concat(await OutboxMail.BodiesToAsync(factory, "Frank.New+x@example.com"))
            .Count(b => b.Contains("/Account/ConfirmEmailChange?"));
        Assert.Equal(2, links);
    }

    [Fact]
    public async Task ForgotPassword_ForManyAccounts_FromOneNetwork_SendsAtMostThePerNetworkLimit()
    {
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerIp:Limit", "3").With("Network:KnownProxies:0", "127.0.0.1");
        var root = factory.StartKestrel();
        var addresses = Enumerable.Range(0, 6).Select(i => $"victim{i}@example.com").ToList();
        foreach (var address in addresses)
        {
            await factory.CreateUserAsync(address, Password);
        }
        // Over real HTTP, from one client address (the in-memory server has none).
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = root };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.50");

        foreach (var address in addresses)
        {
            await PostAsync(client, "/Account/ForgotPassword", "forgot-password", address);
        }

        var sent = 0;
        foreach (var address in addresses)
        {
            sent += (await OutboxMail.BodiesToAsync(factory, address)).Count(b => b.Contains("/Account/ResetPassword?"));
        }
        Assert.Equal(3, sent);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler, string email)
    {
        var token = await SignIn.AntiforgeryTokenAsync(client, path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = handler,
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
        }));
    }

    /// <summary>What the page says back (its status message), the part a caller could tell two answers apart by.</summary>
    private static string MessageOf(string page)
    {
        var said = System.Text.RegularExpressions.Regex.Match(page, "If that address[^<]*");
        Assert.True(said.Success, "The page said nothing back.");
        return said.Value;
    }

    [Fact]
    public async Task RegisteringATakenAddressAgainAndAgain_EmailsItsOwnerAtMostTheLimit_AndEveryAnswerIsTheSame()
    {
        using var factory = new TesseraFactory().With("Policies:RateLimits:PerDestination:Limit", "2");
        await factory.CreateUserAsync("carol@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        var answers = new List<string>();
        foreach (var spelling in new[] { "carol@example.com", "Carol@example.com", "carol@example.com", "CAROL@example.com" })
        {
            var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Register");
            var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "register",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = spelling,
                ["Input.Password"] = "an unrelated long passphrase",
                ["Input.ConfirmPassword"] = "an unrelated long passphrase",
            }));
            answers.Add($"{(int)response.StatusCode} {response.Headers.Location?.OriginalString.Split('?')[0]}");
        }

        Assert.Single(answers.Distinct());
        var notices = (await OutboxMail.BodiesToAsync(factory, "carol@example.com")).Count(b => b.Contains("tried to create a new", StringComparison.Ordinal));
        Assert.Equal(2, notices);
        await using var db = await factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Tessera.Domain.Persistence.PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(2, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.AuditEvents,
            e => e.Type == Tessera.Domain.Audit.AuditEventTypes.AccountEmailRefused && e.Detail!.Contains("already-registered")));
    }

    [Fact]
    public async Task ApiEmailCodes_ToSpellingsOfOneMailbox_ShareItsLimit()
    {
        using var factory = new OtpApiFactory();
        factory.With("Policies:RateLimits:PerDestination:Limit", "3");
        var (http, _) = await factory.CreateApiClientAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var to in new[] { "Bob@Example.com", "bob@example.com", "bob+1@example.com", "BOB+2@example.com" })
        {
            statuses.Add((await http.PostAsJsonAsync("/api/v1/verifications", new { to, channel = "email" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}
