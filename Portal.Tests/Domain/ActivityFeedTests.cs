using Tessera.Domain.Activity;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Components.Shared;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>
/// A person's feed, read from the audit log: the steps of a sign-in or an enrolment fold away, kinds filter, pages
/// page; and the pieces the security center builds on it (status, times).
/// </summary>
public sealed class ActivityFeedTests : IAsyncLifetime
{
    private const string User = "user-1";
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    private ActivityFeed Feed => new(database.Factory, database.Subjects);

    [Fact]
    public async Task ASignInWithItsSteps_ReadsAsOneLine_AndMistypedEnrolmentCodesAreHidden()
    {
        // The events one password + authenticator sign-in and one fumbled enrolment really write, oldest first.
        await RecordAsync(AuditEventTypes.PasswordVerified, AuditOutcome.Success, "password right; second step next");
        await RecordAsync(AuditEventTypes.AuthenticatorVerified, AuditOutcome.Success, "id=5d1c8a2e-0000-0000-0000-000000000000");
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, "with password and authenticator app");
        await RecordAsync(AuditEventTypes.ChallengeCreated, AuditOutcome.Success, "channel=sms");
        await RecordAsync(AuditEventTypes.ChallengeChecked, AuditOutcome.Failure, "wrong code");
        await RecordAsync(AuditEventTypes.AuthenticatorAdded, AuditOutcome.Failure, "confirmation code did not match");
        await RecordAsync(AuditEventTypes.AuthenticatorAdded, AuditOutcome.Success, "name=Phone");
        await RecordAsync(AuditEventTypes.SecurityNoticeSent, AuditOutcome.Success, "notice=factor-added; message=7");
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, "wrong password");
        await database.AuditLog.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, "other", "someone-else", Detail: "with password"));

        var feed = await Feed.RecentAsync(User, ActivityVoice.You, 20);

        Assert.Equal(
        [
            "Someone tried to sign in to your account with a wrong password",
            "You added an authenticator app",
            "You signed in with a password and authenticator app",
        ], feed.Select(i => i.Line.Sentence));
        Assert.True(feed[2].IsSignIn);
        Assert.False(feed[0].IsSignIn);
    }

    [Fact]
    public async Task AKind_ShowsOnlyItsEvents_AndPagesCountWhatIsShown()
    {
        for (var i = 0; i < 25; i++)
        {
            await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, "with passkey, passwordless");
        }
        await RecordAsync(AuditEventTypes.PasskeyAdded, AuditOutcome.Success, null);
        await RecordAsync(AuditEventTypes.ChallengeCreated, AuditOutcome.Success, null);

        var signIns = await Feed.PageAsync(User, ActivityVoice.You, ActivityKind.SignIns, page: 2, pageSize: 20);
        var methods = await Feed.PageAsync(User, ActivityVoice.You, ActivityKind.Methods, page: 1, pageSize: 20);
        var all = await Feed.PageAsync(User, ActivityVoice.You, kind: null, page: 1, pageSize: 20);

        Assert.Equal(25, signIns.Total);
        Assert.Equal(2, signIns.Pages);
        Assert.Equal(5, signIns.Items.Count);
        Assert.Equal("You added a passkey", Assert.Single(methods.Items).Line.Sentence);
        Assert.Equal(26, all.Total);
    }

    [Fact]
    public void IsShown_AgreesWithTheFeedsSqlRule_ForEveryTypeAndOutcome()
    {
        foreach (var type in AuditEventTypes.All)
        {
            foreach (var outcome in new[] { AuditOutcome.Success, AuditOutcome.Failure })
            {
                var expected = !ActivityText.HiddenTypes.Contains(type)
                    && !(outcome == AuditOutcome.Success && ActivityText.HiddenWhenSucceeded.Contains(type))
                    && !(outcome == AuditOutcome.Failure && ActivityText.HiddenWhenFailed.Contains(type));
                Assert.Equal(expected, ActivityText.IsShown(type, outcome));
            }
        }
        Assert.False(ActivityText.IsShown(AuditEventTypes.ChallengeChecked, AuditOutcome.Success));
        Assert.True(ActivityText.IsShown(AuditEventTypes.AuthenticatorVerified, AuditOutcome.Failure));
        Assert.False(ActivityText.IsShown(AuditEventTypes.AuthenticatorVerified, AuditOutcome.Success));
    }

    [Theory]
    [InlineData(0, false, 0, false, "2-step verification is off", SetupStep.AddPasskey)]
    [InlineData(1, true, 10, true, "2-step verification is on, with 1 method", SetupStep.AddSecondMethod)]
    [InlineData(3, false, 10, true, "2-step verification is on, with 3 methods", SetupStep.AddPasskey)]
    [InlineData(2, true, 2, true, "2-step verification is on, with 2 methods", SetupStep.RenewRecoveryCodes)]
    [InlineData(2, true, 10, true, "2-step verification is on, with 2 methods", SetupStep.Done)]
    public void SecuritySetup_SaysTheStatus_AndOneNextStep(int methods, bool passkey, int codes, bool contact, string headline, SetupStep next)
    {
        var setup = new SecuritySetup(methods, passkey, codes, contact);

        Assert.Equal(headline, setup.Headline);
        Assert.Equal(next, setup.Next);
        Assert.Equal(methods >= 2 && codes >= SecuritySetup.FewRecoveryCodes && contact, setup.Checklist.All(c => c.Done));
    }

    [Fact]
    public void ReaderTime_SaysHowLongAgo_ThenTheLocalDateAndTime()
    {
        var now = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
        var london = ReaderTime.Zone("Europe%2FLondon");

        Assert.Equal("just now", ReaderTime.Relative(now.AddSeconds(-20), now, london));
        Assert.Equal("1 minute ago", ReaderTime.Relative(now.AddMinutes(-1), now, london));
        Assert.Equal("5 hours ago", ReaderTime.Relative(now.AddHours(-5), now, london));
        Assert.Equal("29 Jun 2026, 13:00", ReaderTime.Relative(now.AddDays(-2), now, london));
        Assert.Equal("29 Jun 2026, 12:00 UTC", ReaderTime.Relative(now.AddDays(-2), now, ReaderTime.Zone("Not/AZone")));
    }

    private Task RecordAsync(string type, AuditOutcome outcome, string? detail)
    {
        database.Time.Advance(TimeSpan.FromSeconds(1));
        return database.AuditLog.RecordAsync(new AuditEntry(type, outcome, User, User, UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36", Detail: detail));
    }
}
