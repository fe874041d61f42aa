using System.Text.RegularExpressions;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Activity;
using Tessera.Domain.Audit;
using Tessera.Portal.Components.Shared;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

/// <summary>The feed people read: every event type has a sentence, and nothing an engineer wrote leaks into it.</summary>
public sealed partial class ActivityListTests : MudComponentTest
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // Details as the writers of the log really write them: ids, key=value pairs, pseudonymised bits.
    private static readonly string?[] Details =
    [
        null, "with passkey, passwordless", "with password and authenticator app", "wrong password", "wrong password; account locked",
        $"id={Guid.NewGuid()}; step=58211", "sessions=3; from the sessions page", "notice=password-changed; message=42",
        "code refused unchecked: locked out", "sign-in refused while locked out", "passkey: no such user", "role=Admin; by create-admin",
        "authenticators=1; passkeys=0; recovery_codes=10", "to=b•••@example.com", "client=abc; name=Shop",
    ];

    public ActivityListTests() => Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));

    public static TheoryData<string> EveryType() => new(AuditEventTypes.All);

    [Theory]
    [MemberData(nameof(EveryType))]
    public void EveryEventType_ReadsAsASentence_WithoutCodesIdsOrKeyValueText(string type)
    {
        var items = Details.SelectMany(detail => new[] { AuditOutcome.Success, AuditOutcome.Failure }
            .Select((outcome, i) => Item(type, outcome, detail, sequence: i))).ToList();

        var cut = Render<ActivityList>(p => p.Add(l => l.Items, items));

        var text = cut.Find("ul").TextContent;
        Assert.Equal(items.Count, cut.FindAll("li").Count);
        Assert.DoesNotContain("Something else happened", text);
        foreach (var code in AuditEventTypes.All)
        {
            Assert.DoesNotContain(code, text);
        }
        Assert.DoesNotMatch(GuidPattern(), text);
        Assert.DoesNotMatch(KeyValuePattern(), text);
        Assert.All(items, item => Assert.Matches("^[A-Z]", item.Line.Sentence));
    }

    [Fact]
    public void AnItem_ShowsItsSentence_DeviceAndTimeAgo_WithTheUtcTimeInATooltip()
    {
        var item = Item(AuditEventTypes.SignIn, AuditOutcome.Success, "with passkey, passwordless", at: Now.AddMinutes(-3));

        var cut = Render<ActivityList>(p => p.Add(l => l.Items, [item]));

        var li = cut.Find("li");
        Assert.Contains("You signed in with a passkey (no password)", li.TextContent);
        Assert.Contains("Chrome 131 on Linux", li.TextContent);
        var time = cut.Find("time");
        Assert.Equal("3 minutes ago", time.TextContent);
        Assert.Equal("2026-03-01 11:57:00 UTC", time.GetAttribute("title"));
    }

    [Fact]
    public void InTheOwnersFeed_OnlyASignIn_OffersWasntYou()
    {
        IReadOnlyList<ActivityItem> items =
        [
            Item(AuditEventTypes.SignIn, AuditOutcome.Success, "with password", sequence: 3),
            Item(AuditEventTypes.SignIn, AuditOutcome.Failure, "wrong password", sequence: 2),
            Item(AuditEventTypes.PasskeyAdded, AuditOutcome.Success, null, sequence: 1),
        ];

        var owner = Render<ActivityList>(p => p.Add(l => l.Items, items).Add(l => l.SecureAccount, true));
        var admin = Render<ActivityList>(p => p.Add(l => l.Items, items));

        Assert.Single(owner.FindAll("button"), b => b.TextContent.Contains("Wasn't you? Secure your account"));
        Assert.Empty(admin.FindAll("button"));
    }

    [Fact]
    public void AnAdministratorsView_NamesThePerson()
    {
        var e = Event(AuditEventTypes.PasswordChanged, AuditOutcome.Success, null);

        Assert.Equal("bob@example.com changed their password", ActivityText.Describe(e, ActivityVoice.Named("bob@example.com")).Sentence);
        Assert.Equal("You changed your password", ActivityText.Describe(e, ActivityVoice.You).Sentence);
    }

    private static ActivityItem Item(string type, AuditOutcome outcome, string? detail, long sequence = 1, DateTimeOffset? at = null)
    {
        var e = Event(type, outcome, detail, sequence, at);
        return new ActivityItem(e.Sequence, e.OccurredAt, e.Type, ActivityText.Describe(e, ActivityVoice.You), outcome == AuditOutcome.Failure, e.UserAgent);
    }

    private static AuditEvent Event(string type, AuditOutcome outcome, string? detail, long sequence = 1, DateTimeOffset? at = null) => new()
    {
        Sequence = sequence,
        OccurredAt = at ?? Now.AddHours(-2),
        Type = type,
        Outcome = outcome,
        SubjectId = "0b9f7a0e-8d7c-4c55-9d1e-3d9f3c1f2a10",
        IpPseudonym = "f3a9c2",
        UserAgent = "Chrome 131 on Linux",
        Detail = detail,
        PreviousHash = AuditChain.GenesisHash,
    };

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"\b\w+=\S")]
    private static partial Regex KeyValuePattern();
}
