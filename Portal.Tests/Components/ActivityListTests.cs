using Bunit;
using Tessera.Domain.Audit;
using Tessera.Portal.Components.Shared;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class ActivityTableTests : MudComponentTest
{
    [Fact]
    public void Render_ThreeEvents_ShowsOneRowPerEvent()
    {
        IReadOnlyList<AuditEvent> events =
        [
            Event(3, AuditEventTypes.SignIn, AuditOutcome.Failure),
            Event(2, AuditEventTypes.EmailConfirmed, AuditOutcome.Success),
            Event(1, AuditEventTypes.Registered, AuditOutcome.Success),
        ];

        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, events));

        Assert.Equal(3, cut.FindAll("tbody tr").Count);
    }

    [Fact]
    public void Render_Event_ShowsItsTypeAndOutcomeInItsRow()
    {
        IReadOnlyList<AuditEvent> events =
        [
            Event(2, AuditEventTypes.SignIn, AuditOutcome.Failure),
            Event(1, AuditEventTypes.Registered, AuditOutcome.Success),
        ];

        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, events));

        var rows = cut.FindAll("tbody tr");
        var cells = rows.Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(AuditEventTypes.SignIn, cells[0][1]);
        Assert.Equal("Failure", cells[0][2]);
        Assert.Equal(AuditEventTypes.Registered, cells[1][1]);
        Assert.Equal("Success", cells[1][2]);
    }

    [Fact]
    public void Render_Event_ShowsTimeBrowserAndDetail()
    {
        IReadOnlyList<AuditEvent> events = [Event(1, AuditEventTypes.SignIn, AuditOutcome.Success)];

        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, events));

        var cells = cut.FindAll("tbody tr td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("2026-03-01 09:00:01", cells[0]);
        Assert.Equal("Firefox 127 on Linux", cells[3]);
        Assert.Equal("detail 1", cells[4]);
    }

    [Fact]
    public void Render_NoEvents_ShowsNoRows()
    {
        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, Array.Empty<AuditEvent>()));

        Assert.Empty(cut.FindAll("tbody tr"));
    }

    [Fact]
    public void Render_WithoutShowSubject_HidesTheSubjectColumn()
    {
        IReadOnlyList<AuditEvent> events = [Event(1, AuditEventTypes.SignIn, AuditOutcome.Success)];

        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, events));

        Assert.DoesNotContain(cut.FindAll("thead th"), th => th.TextContent == "Subject");
        Assert.DoesNotContain("subject-1", cut.Markup);
    }

    [Fact]
    public void Render_WithShowSubject_ShowsTheSubjectOfEachEvent()
    {
        IReadOnlyList<AuditEvent> events = [Event(1, AuditEventTypes.SignIn, AuditOutcome.Success)];

        var cut = Render<ActivityTable>(p => p.Add(t => t.Events, events).Add(t => t.ShowSubject, true));

        Assert.Contains(cut.FindAll("thead th"), th => th.TextContent == "Subject");
        Assert.Equal("subject-1", cut.Find("tbody tr code").TextContent);
    }

    private static AuditEvent Event(long sequence, string type, AuditOutcome outcome) => new()
    {
        Sequence = sequence,
        OccurredAt = new DateTimeOffset(2026, 3, 1, 9, 0, (int)sequence, TimeSpan.Zero),
        Type = type,
        Outcome = outcome,
        SubjectId = $"subject-{sequence}",
        UserAgent = "Firefox 127 on Linux",
        Detail = $"detail {sequence}",
        PreviousHash = AuditChain.GenesisHash,
    };
}
