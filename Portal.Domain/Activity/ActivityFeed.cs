using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Activity;

/// <param name="Device">"Chrome 131 on Linux", or null when the event came from no browser.</param>
public sealed record ActivityItem(long Sequence, DateTimeOffset At, string Type, ActivityLine Line, bool Failed, string? Device)
{
    /// <summary>A successful sign-in: the line offers "Wasn't you? Secure your account".</summary>
    public bool IsSignIn => Type == AuditEventTypes.SignIn && !Failed;
}

public sealed record ActivityFeedPage(IReadOnlyList<ActivityItem> Items, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>A person's own activity, newest first, in sentences (<see cref="ActivityText"/>), read from the audit log.</summary>
public sealed class ActivityFeed(IDbContextFactory<PortalDbContext> dbFactory, AuditPseudonyms subjects, AuditSequencer? sequencer = null)
{
    public const int MaxPageSize = 100;

    /// <summary>The newest shown events about the user.</summary>
    public async Task<IReadOnlyList<ActivityItem>> RecentAsync(string userId, ActivityVoice voice, int take, CancellationToken cancellationToken = default) =>
        (await PageAsync(userId, voice, kind: null, page: 1, pageSize: take, cancellationToken)).Items;

    /// <param name="page">1-based; a page past the end is empty.</param>
    public async Task<ActivityFeedPage> PageAsync(
        string userId, ActivityVoice voice, ActivityKind? kind, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var subject = await subjects.ForSearchingAsync(userId, cancellationToken);
        // What the user just did shows, even when it was staged a moment ago and not yet chained.
        if (sequencer is not null)
        {
            await sequencer.FlushAsync(cancellationToken);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Shown(db.AuditEvents.AsNoTracking().Where(e => e.SubjectId == subject));
        if (kind is { } k)
        {
            var types = ActivityText.TypesOf(k);
            query = query.Where(e => types.Contains(e.Type));
        }
        var total = await query.CountAsync(cancellationToken);
        var events = await query.OrderByDescending(e => e.Sequence).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var items = events
            .Select(e => new ActivityItem(e.Sequence, e.OccurredAt, e.Type, ActivityText.Describe(e, voice), e.Outcome == AuditOutcome.Failure, e.UserAgent))
            .ToList();
        return new ActivityFeedPage(items, total, page, pageSize);
    }

    /// <summary>The rule of <see cref="ActivityText.IsShown"/>, as SQL.</summary>
    private static IQueryable<AuditEvent> Shown(IQueryable<AuditEvent> events)
    {
        var hidden = ActivityText.HiddenTypes.ToArray();
        var hiddenWhenSucceeded = ActivityText.HiddenWhenSucceeded.ToArray();
        var hiddenWhenFailed = ActivityText.HiddenWhenFailed.ToArray();
        return events.Where(e => !hidden.Contains(e.Type)
            && !(e.Outcome == AuditOutcome.Success && hiddenWhenSucceeded.Contains(e.Type))
            && !(e.Outcome == AuditOutcome.Failure && hiddenWhenFailed.Contains(e.Type)));
    }
}
