using Tessera.Domain.Activity;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Components.Admin;

/// <summary>The people an admin's audit view names: emails for the actor and subject ids of the rows on screen.</summary>
public sealed class AuditSubjects(IReadOnlyDictionary<string, string> emails)
{
    public static AuditSubjects None { get; } = new(new Dictionary<string, string>());

    /// <summary>The email of a user id, or null for no id; an id whose account is gone stays an id.</summary>
    public string? EmailOf(string? userId) => userId is null ? null : emails.GetValueOrDefault(userId);

    /// <summary>The event as a sentence about its subject ("bob@example.com signed in with a passkey").</summary>
    public string Sentence(AuditEvent e) =>
        ActivityText.Describe(e, e.SubjectId is null ? ActivityVoice.Unknown
            : EmailOf(e.SubjectId) is { } email ? ActivityVoice.Named(email) : ActivityVoice.Named("A deleted account")).Sentence;

    public static async Task<AuditSubjects> LoadAsync(Tessera.Domain.Accounts.UserDirectory directory, IEnumerable<AuditEvent> events, CancellationToken cancellationToken = default)
    {
        var list = events.ToList();
        return new AuditSubjects(await directory.EmailsAsync(list.Select(e => e.ActorId).Concat(list.Select(e => e.SubjectId)), cancellationToken));
    }
}
