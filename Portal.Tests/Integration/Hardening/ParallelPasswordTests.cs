using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.Hardening;

/// <summary>
/// Finding 3: 40 wrong passwords sent at once were all checked and left AccessFailedCount at 1, and the right one among
/// them signed in. Finding 9: each refusal wrote two audit rows, so a 200-request burst added about 395.
/// </summary>
public sealed partial class ParallelPasswordTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const int Threshold = 5;
    private readonly CountingHasher hasher = new();
    private readonly TesseraFactory factory;

    public ParallelPasswordTests()
    {
        // The network's hourly ceiling is lifted: these bursts come from one network and test the account's budgets.
        factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", Threshold.ToString()).With("Accounts:MaxFailuresPerNetworkPerHour", "100000")
            .WithServices(services => services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<ApplicationUser>>(hasher)));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(200)]
    public async Task ConcurrentWrongPasswords_LandExactlyOnTheThreshold_AndNoneIsVerifiedPastIt(int burst)
    {
        var user = await factory.CreateUserAsync($"burst{burst}@example.com", Password);
        hasher.Watch(user.Id);

        var responses = await BurstAsync(user.Email!, Enumerable.Repeat("wrong password", burst));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, r.StatusCode.ToString()));
        var state = await StateAsync(user.Id);
        Assert.Equal((Threshold, Threshold), (hasher.VerifiedAgainstWatched, state.AccessFailedCount));
        Assert.True(state.LockoutEnd > DateTimeOffset.UtcNow);
        Assert.Equal(burst - Threshold + 1, responses.Count(r => r.TargetPath() == "/Account/Lockout"));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(200)]
    public async Task TheRightPasswordInsideTheBurst_SignsInOnlyIfItWasCheckedBeforeTheThreshold(int burst)
    {
        var user = await factory.CreateUserAsync($"right{burst}@example.com", Password);
        hasher.Watch(user.Id);
        var passwords = Enumerable.Repeat("wrong password", burst).ToList();
        passwords.Insert(burst / 2, Password);

        var responses = await BurstAsync(user.Email!, passwords);

        var signedIn = responses.Count(r => r.Target() == "/security");
        Assert.InRange(signedIn, 0, 1);
        var state = await StateAsync(user.Id);
        if (signedIn == 0)
        {
            Assert.True(hasher.VerifiedAgainstWatched <= Threshold, $"{hasher.VerifiedAgainstWatched} passwords were verified, threshold {Threshold}");
            // Every verified wrong password is one failure.
            Assert.Equal(hasher.VerifiedAgainstWatched, state.AccessFailedCount);
        }
        else
        {
            // The right password completed a sign-in, which makes the budget whole again: at most Threshold - 1 wrong
            // ones were checked before it (the rest were refused unchecked) and at most Threshold after it. Whichever way
            // the burst was ordered, no wrong password was checked past the threshold since the last success.
            Assert.True(hasher.VerifiedAgainstWatched <= 2 * Threshold, $"{hasher.VerifiedAgainstWatched} passwords were verified, threshold {Threshold} on each side of the sign-in");
            Assert.InRange(state.AccessFailedCount, 0, Math.Min(Threshold, hasher.VerifiedAgainstWatched - 1));
        }
    }

    [Fact]
    public async Task OnceTheBurstHasLocked_TheRightPassword_IsRefusedUnchecked()
    {
        var user = await factory.CreateUserAsync("locked-burst@example.com", Password);
        hasher.Watch(user.Id);
        await BurstAsync(user.Email!, Enumerable.Repeat("wrong password", 40));

        var right = await BurstAsync(user.Email!, [Password]);

        Assert.Equal("/Account/Lockout", Assert.Single(right).TargetPath());
        Assert.Equal(Threshold, hasher.VerifiedAgainstWatched);
    }

    [Fact]
    public async Task ABurstOf200Refusals_IsAHandfulOfAuditRows_ThatStillCountEveryAttempt()
    {
        var user = await factory.CreateUserAsync("flood@example.com", Password);

        await BurstAsync(user.Email!, Enumerable.Repeat("wrong password", 200));
        await factory.Services.GetRequiredService<AuditRefusals>().FlushAsync(all: true);

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(user.Id);
        var rows = await db.AuditEvents.AsNoTracking().Where(e => e.SubjectId == subject && e.Outcome == AuditOutcome.Failure).ToListAsync();
        // Three kinds of refusal ("wrong password", "wrong password; account locked", "refused while locked out"), each
        // a first row and, when repeated, one row with the count: five rows in one minute, at most eight across two.
        Assert.InRange(rows.Count, 3, 8);
        var counted = rows.Sum(r => RepeatsRegex().Match(r.Detail ?? "") is { Success: true } m ? int.Parse(m.Groups[1].Value) : 1);
        Assert.Equal(200, counted);
    }

    private async Task<IReadOnlyList<HttpResponseMessage>> BurstAsync(string email, IEnumerable<string> passwords)
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");
        using var start = new SemaphoreSlim(0);
        var tasks = passwords.Select(async password =>
        {
            await start.WaitAsync();
            return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = email,
                ["Input.Password"] = password,
            }));
        }).ToList();
        start.Release(tasks.Count);
        return await Task.WhenAll(tasks);
    }

    private async Task<(int AccessFailedCount, DateTimeOffset? LockoutEnd)> StateAsync(string userId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
        // The lockout the burst set is its network's (the account-wide one waits for the daily ceiling).
        var networkLock = await db.FailureBudgets.AsNoTracking().Where(b => b.UserId == userId).MaxAsync(b => b.LockedUntil);
        return (row.AccessFailedCount, networkLock ?? row.LockoutEnd);
    }

    [GeneratedRegex(@"repeated (\d+) more time")]
    private static partial Regex RepeatsRegex();

    public void Dispose() => factory.Dispose();

    /// <summary>Identity's hasher, counting the verifications made against one user's real hash.</summary>
    private sealed class CountingHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> inner = new(Options.Create(new PasswordHasherOptions()));
        private string? watched;
        private int verified;

        public int VerifiedAgainstWatched => Volatile.Read(ref verified);

        public void Watch(string userId)
        {
            watched = userId;
            verified = 0;
        }

        public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            if (user.Id == watched)
            {
                Interlocked.Increment(ref verified);
            }
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
