using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Portal.Components.Admin;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class AdminDashboardTests : MudComponentTest
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private TestDatabase database = null!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(new FakeTimeProvider(Now.AddHours(-2)));
        Services.AddSingleton(new AuditStatistics(database.Factory, database.Time));
        Services.AddSingleton(new DeliveryStatistics(database.Factory, database.Time));
        Services.AddSingleton(new FactorStatistics(database.Factory));
    }

    protected override Task DisposeTestAsync() => database.DisposeAsync().AsTask();

    [Fact]
    public async Task Render_SeededEvents_ShowsEachSeriesTotal()
    {
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, 3);
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Failure, 2);
        await RecordAsync(AuditEventTypes.LockedOut, AuditOutcome.Failure, 1);
        database.Time.SetUtcNow(Now);

        var cut = Render<AdminDashboard>();

        cut.WaitForAssertion(() =>
        {
            var totals = Totals(cut, ".dashboard-activity");
            Assert.Equal("3", totals[AuditStatistics.SignIns]);
            Assert.Equal("2", totals[AuditStatistics.FailedSignIns]);
            Assert.Equal("1", totals[AuditStatistics.Lockouts]);
            Assert.Equal("0", totals[AuditStatistics.StepUps]);
        });
    }

    [Fact]
    public async Task Render_AThisWasntMeReport_RaisesAnAlertAboveTheCharts()
    {
        await RecordAsync(AuditEventTypes.PushNotMe, AuditOutcome.Failure, 1);
        await RecordAsync(AuditEventTypes.QrSignInNotMe, AuditOutcome.Failure, 1);
        database.Time.SetUtcNow(Now);

        var cut = Render<AdminDashboard>();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("2 reports of \"this wasn't me\"", cut.Find(".dashboard-not-me").TextContent);
            Assert.Equal("2", Totals(cut, ".dashboard-activity")[AuditStatistics.NotMeReports]);
        });
    }

    [Fact]
    public async Task Render_SeededEvents_DrawsOneChartLinePerSeriesWithAccessibleTable()
    {
        await RecordAsync(AuditEventTypes.SignIn, AuditOutcome.Success, 2);
        database.Time.SetUtcNow(Now);

        var cut = Render<AdminDashboard>();

        cut.WaitForAssertion(() =>
        {
            var activity = cut.Find(".dashboard-activity");
            // Sign-ins, failures, lockouts, step-ups, the risk engine's step-ups and blocks, and "this wasn't me" reports.
            Assert.Equal(7, activity.QuerySelectorAll("svg path.mud-chart-line").Length);
            // 24 hourly rows in the data table, the sign-ins in the hour they happened (07:30 falls in 07:00).
            var rows = activity.QuerySelectorAll(".count-chart-data tbody tr");
            Assert.Equal(24, rows.Length);
            var row = rows.Single(r => r.QuerySelector("th")!.TextContent == "2026-03-01 07:00");
            Assert.Equal("2", row.QuerySelectorAll("td")[0].TextContent);
        });
    }

    [Fact]
    public async Task Render_SeededMessagesAndUsers_ShowsDeliveriesAndFactorCounts()
    {
        await DashboardSeed.MessageAsync(database, Now.AddHours(-1), MessageStatus.Sent);
        await DashboardSeed.MessageAsync(database, Now.AddHours(-1), MessageStatus.Failed);
        await DashboardSeed.UserAsync(database, "app@example.com", totp: true);
        await DashboardSeed.UserAsync(database, "nothing@example.com");
        database.Time.SetUtcNow(Now);

        var cut = Render<AdminDashboard>();

        cut.WaitForAssertion(() =>
        {
            var totals = Totals(cut, ".dashboard-deliveries");
            Assert.Equal("1", totals[nameof(MessageStatus.Sent)]);
            Assert.Equal("1", totals[nameof(MessageStatus.Failed)]);
            var factors = cut.Find(".dashboard-factors").QuerySelectorAll("tbody tr")
                .ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelector("td")!.TextContent);
            Assert.Equal("1", factors["Authenticator app"]);
            Assert.Equal("1", factors["None"]);
            Assert.Equal("2", factors["All users"]);
        });
    }

    private async Task RecordAsync(string type, AuditOutcome outcome, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await database.AuditLog.RecordAsync(new AuditEntry(type, outcome, SubjectId: "user-1"));
        }
    }

    private static Dictionary<string, string> Totals(IRenderedComponent<AdminDashboard> cut, string chart) =>
        cut.Find(chart).QuerySelectorAll(".count-chart-totals tbody tr")
            .ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelector("td")!.TextContent);
}
