using Tessera.Domain.Challenges;
using Tessera.Domain.Policies;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The policy store and the send limiter as the app wires them.</summary>
public sealed class PoliciesTests
{
    private static readonly PolicyEditor Admin = new("admin-id", "admin@example.com");

    [Fact]
    public async Task CodeLengthChangedInTheStore_NextChallengeUsesItWithoutRestart()
    {
        await using var factory = new TesseraFactory();
        var store = factory.Services.GetRequiredService<PolicyStore>();
        var challenges = factory.Services.GetRequiredService<Challenges>();
        var codes = new List<string>();
        await challenges.CreateAsync(Request(codes, "+447700900001"));

        var saved = await store.UpdateAsync(new PolicySet { Otp = new OtpPolicy { CodeLength = 8 } }, 0, Admin);
        await challenges.CreateAsync(Request(codes, "+447700900002"));

        Assert.True(saved.Saved);
        Assert.Equal([6, 8], codes.Select(c => c.Length));
        Assert.All(codes, code => Assert.True(code.All(char.IsAsciiDigit)));
    }

    [Fact]
    public async Task Limiter_InTheApp_RefusesTheSixthCodeToOneNumber()
    {
        await using var factory = new TesseraFactory();
        var challenges = factory.Services.GetRequiredService<Challenges>();
        var codes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await challenges.CreateAsync(Request(codes, "+447700900003"));
        }

        var refused = await Assert.ThrowsAsync<SendRefusedException>(() => challenges.CreateAsync(Request(codes, "+447700900003")));

        Assert.Equal(SendRules.PerDestination, refused.Decision.Rule);
        Assert.True(refused.Decision.RetryAfter > TimeSpan.Zero);
        Assert.Equal(5, codes.Count);
    }

    [Fact]
    public void Start_PolicyDefaultOutOfBounds_FailsNamingTheSetting()
    {
        using var factory = new TesseraFactory().With("Policies:Otp:CodeLength", "4");

        var failure = Assert.ThrowsAny<Exception>(() => factory.Services);

        Assert.Contains(ConfigurationErrors.From(failure), e => e.StartsWith("Policies:Otp:CodeLength:", StringComparison.Ordinal));
    }

    private static ChallengeRequest Request(List<string> codes, string phone) => new(
        "sign-in", ChallengeBinding.ForUser("user-ada"), ChallengeChannels.Sms, phone, "+44 •••• ••• 001",
        code =>
        {
            codes.Add(code);
            return ("Your code", $"Your code is {code}");
        },
        Region: "GB");
}
