using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

/// <summary>An SMS code with a fallback email carries the same code on both routes, on create and on resend.</summary>
public sealed class ChallengeFallbackTests : IAsyncLifetime
{
    private static readonly ChallengeBinding Ada = ChallengeBinding.ForUser("user-ada");
    private static readonly ChallengeTexts Texts = new(new ChallengeTextSettings("Tessera", "tessera.test"));
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task CreateAsync_WithFallbackEmail_StagesTheSameCodeByEmail()
    {
        var codes = new List<string>();

        var created = await Challenges().CreateAsync(Request(codes, "ada@example.com"));

        var message = await ReadAsync(created.MessageId);
        var code = Assert.Single(codes);
        Assert.Equal(Channel.Email, message.FallbackKind);
        Assert.Equal("ada@example.com", message.FallbackRecipient);
        Assert.Contains($"code is {code}.", message.FallbackTextBody);
        Assert.Contains(code, message.FallbackHtmlBody);
        Assert.Equal("sign-in", message.Purpose);
        Assert.Equal("+44 •••• ••• 123", message.MaskedRecipient);
    }

    [Fact]
    public async Task CreateAsync_WithoutFallbackEmail_StagesNoFallback()
    {
        var created = await Challenges().CreateAsync(Request([], null));

        Assert.Null((await ReadAsync(created.MessageId)).FallbackRecipient);
    }

    [Fact]
    public async Task ResendAsync_KeepsTheFallbackWithTheNewCode()
    {
        var codes = new List<string>();
        var challenges = Challenges(o => o with { ResendCooldown = TimeSpan.Zero });
        var created = await challenges.CreateAsync(Request(codes, "ada@example.com"));

        var resent = await challenges.ResendAsync(created.ChallengeId, Ada, Compose(codes));

        var message = await ReadAsync(resent!.MessageId!.Value);
        Assert.Equal("ada@example.com", message.FallbackRecipient);
        Assert.Contains($"code is {codes[1]}.", message.FallbackTextBody);
    }

    private Challenges Challenges(Func<OtpPolicy, OtpPolicy>? configure = null)
    {
        var otp = new OtpPolicy();
        var policies = new FixedPolicies(new PolicySet { Otp = configure?.Invoke(otp) ?? otp });
        return new Challenges(database.Factory, database.Time, database.Secrets, database.AuditLog, policies,
            new MessageQueue(database.Factory, database.Time), UnlimitedSendLimiter.Instance, NoDeliveryTrigger.Instance, Texts);
    }

    private static ChallengeRequest Request(List<string> codes, string? fallbackEmail) =>
        new("sign-in", Ada, Channel.Sms, "+447700900123", "+44 •••• ••• 123", Compose(codes), Region: "GB", FallbackEmail: fallbackEmail);

    private static Func<string, (string Subject, string Text)> Compose(List<string> codes) => code =>
    {
        codes.Add(code);
        return ("Code", $"{code} is your code");
    };

    private async Task<OutboundMessage> ReadAsync(Guid id)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }
}
