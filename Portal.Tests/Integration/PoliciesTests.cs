using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tessera.Domain.Challenges;
using Tessera.Domain.Policies;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

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
    public void StartupValidation_PolicyDefaultOutOfBounds_FailsNamingTheSetting()
    {
        // What Program.cs does before anything else runs: a bad default stops the app with exit code 2 and this message.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Policies:Otp:CodeLength"] = "4" });
        builder.AddPolicies();
        using var host = builder.Build();

        var failure = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["Policies:Otp:CodeLength: Code length must be between 6 and 10 digits."], ConfigurationErrors.From(failure));
    }

    private static ChallengeRequest Request(List<string> codes, string phone) => new(
        "sign-in", ChallengeBinding.ForUser("user-ada"), Channel.Sms, phone, "+44 •••• ••• 001",
        code =>
        {
            codes.Add(code);
            return ("Your code", $"Your code is {code}");
        },
        Region: "GB");
}
