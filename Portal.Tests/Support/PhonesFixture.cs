using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Policies;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Support;

/// <summary>Phones and sign-in codes over a <see cref="FactorsFixture"/>, with real challenges queuing real messages.</summary>
public sealed partial class PhonesFixture : IAsyncDisposable
{
    private PhonesFixture(FactorsFixture factors, PolicySet policies)
    {
        Factors = factors;
        var db = factors.Database;
        (Phones, Challenges) = CreatePhones(db, Limiter);
        var texts = new ChallengeTexts(new ChallengeTextSettings("Tessera", "localhost"));
        SignInCodes = new SignInCodes(Phones, factors.Lifecycle, Challenges, texts, new FixedPolicies(policies), factors.Attempts, db.Refusals);
    }

    public FactorsFixture Factors { get; }

    /// <summary>Allows every send until a test makes it refuse.</summary>
    public SwitchableSendLimiter Limiter { get; } = new();

    public TestDatabase Database => Factors.Database;

    public Challenges Challenges { get; }

    public UserPhones Phones { get; }

    public SignInCodes SignInCodes { get; }

    private static readonly ChallengeTexts Texts = new(new ChallengeTextSettings("Tessera", "localhost"));

    /// <summary>The phones service as the app builds it, over <paramref name="db"/>, with messages queued but not delivered.</summary>
    public static (UserPhones Phones, Challenges Challenges) CreatePhones(TestDatabase db, ISendLimiter? limiter = null)
    {
        var messages = new MessageQueue(db.Factory, db.Time);
        var challenges = new Challenges(db.Factory, db.Time, db.Secrets, db.AuditLog, new Tessera.Portal.Tests.Support.FixedPolicies(), messages,
            limiter ?? UnlimitedSendLimiter.Instance, NoDeliveryTrigger.Instance, Texts);
        var texts = Texts;
        return (new UserPhones(db.Factory, db.Time, db.Secrets, db.AuditLog, challenges, texts, db.Lifecycle(),
            Options.Create(new PhoneOptions { DefaultRegion = "GB" })), challenges);
    }

    public static async Task<PhonesFixture> CreateAsync(PolicySet? policies = null, int maxFailedAccessAttempts = 5) =>
        new(await FactorsFixture.CreateAsync(maxFailedAccessAttempts), policies ?? new PolicySet());

    /// <summary>The code in the latest text to <paramref name="e164"/>, read from the queued message as a phone would show it.</summary>
    public async Task<string> LatestCodeAsync(string e164)
    {
        await using var db = await Database.Factory.CreateDbContextAsync();
        // Recipients are encrypted with a random nonce: they can only be compared once read.
        var bodies = (await db.OutboundMessages.AsNoTracking().Where(m => m.Kind == Channel.Sms).ToListAsync())
            .Where(m => m.Recipient == e164).ToList();
        var latest = bodies.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Last();
        return CodeRegex().Match(latest.TextBody!).Value;
    }

    /// <summary>Adds a phone and verifies it with the code texted to it.</summary>
    public async Task<PhoneSummary> AddVerifiedAsync(string userId, string e164)
    {
        var added = await Phones.AddAsync(userId, e164, Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));
        Assert.Null(added.Error);
        Assert.True((await Phones.SendVerificationCodeAsync(userId, added.Phone!.Id)).Sent);
        Assert.Equal(PhoneVerification.Verified, (await Phones.ConfirmAsync(userId, added.Phone.Id, await LatestCodeAsync(e164))).Outcome);
        return added.Phone;
    }

    public ValueTask DisposeAsync() => Factors.DisposeAsync();

    [GeneratedRegex(@"^\d{6}")]
    private static partial Regex CodeRegex();

}
