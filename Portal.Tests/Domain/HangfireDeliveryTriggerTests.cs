using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Tests.Domain;

/// <summary>One Hangfire job per burst of messages, not per message.</summary>
public sealed class HangfireDeliveryTriggerTests
{
    private readonly RecordingJobClient jobs = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    private HangfireDeliveryTrigger Trigger() => new(jobs, time, NullLogger<HangfireDeliveryTrigger>.Instance);

    [Fact]
    public void Queued_ManyTimesBeforeTheDrainStarts_EnqueuesOneDrain()
    {
        var trigger = Trigger();

        for (var i = 0; i < 100; i++)
        {
            trigger.Queued(Guid.NewGuid());
        }

        var job = Assert.Single(jobs.Created);
        Assert.Equal(nameof(DeliveryDrainJob.DrainAsync), job.Job.Method.Name);
        Assert.IsType<EnqueuedState>(job.State);
    }

    [Fact]
    public void Queued_AfterTheDrainStarted_EnqueuesAnother()
    {
        var trigger = Trigger();
        trigger.Queued(Guid.NewGuid());

        trigger.DrainStarted();
        trigger.Queued(Guid.NewGuid());

        Assert.Equal(2, jobs.Created.Count);
    }

    [Fact]
    public void Queued_WhenThePendingDrainIsStale_EnqueuesAgain()
    {
        var trigger = Trigger();
        trigger.Queued(Guid.NewGuid());

        time.Advance(TimeSpan.FromSeconds(6));
        trigger.Queued(Guid.NewGuid());

        Assert.Equal(2, jobs.Created.Count);
    }

    [Fact]
    public void DrainAt_SameOrLaterRetryAlreadyScheduled_SchedulesOnce()
    {
        var trigger = Trigger();
        var due = time.GetUtcNow().AddSeconds(5);

        trigger.DrainAt(due);
        trigger.DrainAt(due.AddSeconds(10));
        trigger.DrainAt(due.AddSeconds(-3));

        Assert.Equal(2, jobs.Created.Count(j => j.State is ScheduledState));
    }

    private sealed class RecordingJobClient : IBackgroundJobClient
    {
        public List<(Job Job, IState State)> Created { get; } = [];

        public string Create(Job job, IState state)
        {
            Created.Add((job, state));
            return Created.Count.ToString();
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }
}
