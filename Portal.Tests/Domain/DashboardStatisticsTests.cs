using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class DashboardStatisticsTests : IAsyncLifetime
{
    /// <summary>The last-24-hours window at <see cref="Now"/> starts here (the hour 23 hours before the current one).</summary>
    private static readonly DateTimeOffset WindowStart = new(2026, 2, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private TestDatabase database = null!;

    public async Task InitializeAsync() =>
        database = await TestDatabase.CreateAsync(new FakeTimeProvider(WindowStart.AddDays(-10)));

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Activity_Last24Hours_CountsEachEventInItsHourAtTheEdges()
    {
        await RecordAtAsync(WindowStart.AddMilliseconds(-1), AuditEventTypes.SignIn, AuditOutcome.Success); // before the window
        await RecordAtAsync(WindowStart, AuditEventTypes.SignIn, AuditOutcome.Success);                     // hour 0, first instant
        await RecordAtAsync(WindowStart.AddHours(1).AddMilliseconds(-1), AuditEventTypes.SignIn, AuditOutcome.Success); // hour 0, last
        await RecordAtAsync(WindowStart.AddHours(1), AuditEventTypes.SignIn, AuditOutcome.Failure);         // hour 1
        await RecordAtAsync(Now, AuditEventTypes.LockedOut, AuditOutcome.Failure);                          // current hour
        await RecordAtAsync(Now, AuditEventTypes.SecondFactorLockedOut, AuditOutcome.Failure);
        await RecordAtAsync(Now, AuditEventTypes.PasswordVerified, AuditOutcome.Success);
        await RecordAtAsync(Now, AuditEventTypes.SignOut, AuditOutcome.Success);                            // not charted

        var activity = await new AuditStatistics(database.Factory, database.Time).ActivityAsync(StatisticsPeriod.Last24Hours);

        Assert.Equal(24, activity.BucketStarts.Count);
        Assert.Equal(WindowStart, activity.BucketStarts[0]);
        Assert.Equal(2, Series(activity, AuditStatistics.SignIns)[0]);
        Assert.Equal(2, Series(activity, AuditStatistics.SignIns).Sum());
        Assert.Equal(1, Series(activity, AuditStatistics.FailedSignIns)[1]);
        Assert.Equal(2, Series(activity, AuditStatistics.Lockouts)[23]);
        Assert.Equal(1, Series(activity, AuditStatistics.StepUps)[23]);
    }

    [Fact]
    public async Task Activity_Last7Days_CountsByUtcDay()
    {
        var firstDay = new DateTimeOffset(2026, 2, 23, 0, 0, 0, TimeSpan.Zero);
        await RecordAtAsync(firstDay.AddMilliseconds(-1), AuditEventTypes.SignIn, AuditOutcome.Failure);
        await RecordAtAsync(firstDay, AuditEventTypes.SignIn, AuditOutcome.Failure);
        await RecordAtAsync(firstDay.AddDays(1).AddMilliseconds(-1), AuditEventTypes.SignIn, AuditOutcome.Failure);
        await RecordAtAsync(Now, AuditEventTypes.SignIn, AuditOutcome.Failure);

        var activity = await new AuditStatistics(database.Factory, database.Time).ActivityAsync(StatisticsPeriod.Last7Days);

        Assert.Equal(firstDay, activity.BucketStarts[0]);
        Assert.Equal([2, 0, 0, 0, 0, 0, 1], Series(activity, AuditStatistics.FailedSignIns));
    }

    [Fact]
    public async Task Deliveries_Last30Days_CountsByStatusAndDay()
    {
        var firstDay = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);
        await DashboardSeed.MessageAsync(database, firstDay.AddMilliseconds(-1), MessageStatus.Sent);
        await DashboardSeed.MessageAsync(database, firstDay, MessageStatus.Sent);
        await DashboardSeed.MessageAsync(database, firstDay.AddHours(23).AddMinutes(59), MessageStatus.Failed);
        await DashboardSeed.MessageAsync(database, Now, MessageStatus.Pending);
        database.Time.SetUtcNow(Now);

        var deliveries = await new DeliveryStatistics(database.Factory, database.Time).ByStatusAsync(StatisticsPeriod.Last30Days);

        Assert.Equal(30, deliveries.BucketStarts.Count);
        Assert.Equal(firstDay, deliveries.BucketStarts[0]);
        Assert.Equal(1, Series(deliveries, nameof(MessageStatus.Sent))[0]);
        Assert.Equal(1, Series(deliveries, nameof(MessageStatus.Sent)).Sum());
        Assert.Equal(1, Series(deliveries, nameof(MessageStatus.Failed))[0]);
        Assert.Equal(1, Series(deliveries, nameof(MessageStatus.Pending))[29]);
        Assert.Equal(0, Series(deliveries, nameof(MessageStatus.Sending)).Sum());
    }

    [Fact]
    public async Task Factors_CountsUsersByFactorKind()
    {
        await DashboardSeed.UserAsync(database, "app@example.com", totp: true, recoveryCodes: true);
        await DashboardSeed.UserAsync(database, "both@example.com", totp: true, passkey: true);
        await DashboardSeed.UserAsync(database, "codes@example.com", recoveryCodes: true);
        await DashboardSeed.UserAsync(database, "none1@example.com");
        await DashboardSeed.UserAsync(database, "none2@example.com");
        await DashboardSeed.UserAsync(database, "sms@example.com", recoveryCodes: true, phone: true);
        await DashboardSeed.UserAsync(database, "unverified@example.com", phone: true, phoneVerified: false);

        var counts = await new FactorStatistics(database.Factory).CountAsync();

        Assert.Equal((7L, 1L, 3L), (counts.Users, counts.RecoveryCodesOnly, counts.None));
        Assert.Equal(new Dictionary<FactorKind, long> { [FactorKind.AuthenticatorApp] = 2, [FactorKind.Passkey] = 1, [FactorKind.Phone] = 1, [FactorKind.PushDevice] = 0 }, counts.ByKind);
    }

    /// <summary>Records an event at <paramref name="at"/>; calls go in time order and the last one is at <see cref="Now"/>.</summary>
    private async Task RecordAtAsync(DateTimeOffset at, string type, AuditOutcome outcome)
    {
        database.Time.SetUtcNow(at);
        await database.AuditLog.RecordAsync(new AuditEntry(type, outcome, Detail: at.ToString("O")));
    }

    private static IReadOnlyList<long> Series(CountSeries series, string name) => series.Series.Single(s => s.Name == name).Counts;
}
