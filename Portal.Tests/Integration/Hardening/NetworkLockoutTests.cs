using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Anyone who knew an address could lock its account for 15 minutes from anywhere. Failed passwords now count per
/// account and network (IPv4 /24, IPv6 /48), with a ceiling per account across all networks, and a network with too
/// many failures at any accounts is answered 429; the client address comes only from Network:KnownProxies.
/// </summary>
public sealed class NetworkLockoutTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FiveFailuresFromOneNetwork_LockTheAccountThereOnly()
    {
        using var factory = new TesseraFactory().With("Network:KnownProxies:0", "127.0.0.1");
        var root = factory.StartKestrel();
        var alice = await factory.CreateUserAsync("alice-net@example.com", Password);
        using var attacker = Client(root, "203.0.113.7");
        for (var i = 0; i < 5; i++)
        {
            await SignIn.PostLoginAsync(attacker, alice.Email!, "not her password");
        }

        using var sameNetwork = Client(root, "203.0.113.200");
        using var home = Client(root, "198.51.100.9");
        var there = await SignIn.PostLoginAsync(sameNetwork, alice.Email!, Password);
        var elsewhere = await SignIn.PostLoginAsync(home, alice.Email!, Password);

        Assert.Equal("/Account/Lockout", there.TargetPath());
        Assert.Equal("/security", elsewhere.Target());
        var told = Assert.Single(await OutboxMail.BodiesToAsync(factory, alice.Email!), b => b.Contains("was locked") || b.Contains("is locked"));
        Assert.Contains("too many wrong passwords from the network 203.0.113.x", told);
        Assert.Contains("This wasn't me", told);
    }

    [Fact]
    public async Task TheDailyCeiling_AcrossNetworks_LocksTheAccountEverywhere_AndSaysSo()
    {
        using var factory = new TesseraFactory().With("Network:KnownProxies:0", "127.0.0.1")
            .With("Accounts:MaxFailedAccessAttempts", "3").With("Accounts:MaxFailedAttemptsPerDay", "5");
        var root = factory.StartKestrel();
        var alice = await factory.CreateUserAsync("alice-ceiling@example.com", Password);
        using var first = Client(root, "203.0.113.7");
        using var second = Client(root, "192.0.2.44");
        for (var i = 0; i < 3; i++)
        {
            await SignIn.PostLoginAsync(first, alice.Email!, "not her password");
        }
        for (var i = 0; i < 2; i++)
        {
            await SignIn.PostLoginAsync(second, alice.Email!, "not her password");
        }

        // Two networks, neither at its own threshold for the second, but five failures in all: locked everywhere.
        using var home = Client(root, "198.51.100.9");
        var fromHome = await SignIn.PostLoginAsync(home, alice.Email!, Password);

        Assert.Equal("/Account/Lockout", fromHome.TargetPath());
        var mails = await OutboxMail.BodiesToAsync(factory, alice.Email!);
        Assert.Contains(mails, b => b.Contains("from the network 203.0.113.x"));
        Assert.Contains(mails, b => b.Contains("your account is locked everywhere until"));
    }

    [Fact]
    public async Task SixtyFailuresOverThirtyAccounts_FromOneNetwork_Get429WithRetryAfter_OnSignInRegistrationAndReset()
    {
        using var factory = new TesseraFactory().With("Network:KnownProxies:0", "127.0.0.1");
        var root = factory.StartKestrel();
        using var attacker = Client(root, "203.0.113.7");
        var statuses = new List<HttpStatusCode>();
        for (var account = 0; account < 30; account++)
        {
            var email = (await factory.CreateUserAsync($"spray{account}@example.com", Password)).Email!;
            for (var i = 0; i < 2; i++)
            {
                statuses.Add((await SignIn.PostLoginAsync(attacker, email, "Summer2026!")).StatusCode);
            }
        }

        Assert.Equal(50, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        Assert.All(statuses.Skip(50), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        var refused = await SignIn.PostLoginAsync(attacker, "spray0@example.com", Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("Too many failed sign-ins from your network", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostFormAsync(attacker, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "spray1@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostFormAsync(attacker, "/Account/Register", "register", new()
        {
            ["Input.Email"] = "newcomer@example.com", ["Input.Password"] = Password, ["Input.ConfirmPassword"] = Password,
        })).StatusCode);
        using var otherNetwork = Client(root, "198.51.100.9");
        Assert.Equal("/security", (await SignIn.PostLoginAsync(otherNetwork, "spray0@example.com", Password)).Target());
    }

    [Fact]
    public async Task FiftyConcurrentFailures_LandExactlyOnTheThresholds()
    {
        using var factory = new TesseraFactory().With("Network:KnownProxies:0", "127.0.0.1");
        var root = factory.StartKestrel();
        var bob = await factory.CreateUserAsync("bob-burst@example.com", Password);
        var clients = Enumerable.Range(0, 50).Select(_ => Client(root, "203.0.113.7")).ToList();

        var responses = await Task.WhenAll(clients.Select(c => SignIn.PostLoginAsync(c, bob.Email!, "not his password")));
        using var oneMore = Client(root, "203.0.113.8");
        var fiftyFirst = await SignIn.PostLoginAsync(oneMore, bob.Email!, Password);

        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.TooManyRequests, fiftyFirst.StatusCode);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var budget = await db.FailureBudgets.AsNoTracking().SingleAsync(b => b.UserId == bob.Id);
        Assert.Equal(("203.0.113.x", 5), (budget.Network, budget.Failures));
        Assert.True(budget.LockedUntil > DateTimeOffset.UtcNow);
        Assert.Equal(5, (await factory.FindUserAsync(bob.Id)).AccessFailedCount);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task WithoutKnownProxies_ASpoofedForwardedFor_ChangesNothing()
    {
        using var factory = new TesseraFactory();
        var root = factory.StartKestrel();
        var carol = await factory.CreateUserAsync("carol-spoof@example.com", Password);
        for (var i = 0; i < 5; i++)
        {
            using var spoofing = Client(root, $"198.51.{i}.9");
            await SignIn.PostLoginAsync(spoofing, carol.Email!, "not her password");
        }

        using var yetAnother = Client(root, "192.0.2.1");
        var right = await SignIn.PostLoginAsync(yetAnother, carol.Email!, Password);

        Assert.Equal("/Account/Lockout", right.TargetPath());
    }

    private static HttpClient Client(Uri root, string forwardedFor)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = root };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string handler, Dictionary<string, string> fields)
    {
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = await SignIn.AntiforgeryTokenAsync(client, path);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }
}
