using Tessera.Domain.Activity;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Components.Admin;

/// <summary>
/// The people an admin's audit view names. Events store a user as a pseudonym (<see cref="AuditPseudonyms"/>): this
/// maps the pseudonyms of the rows on screen to the user id and email of an account that still exists.
/// </summary>
public sealed class AuditSubjects(IReadOnlyDictionary<string, (string UserId, string Email)> people)
{
    public static AuditSubjects None { get; } = new(new Dictionary<string, (string, string)>());

    /// <summary>The email behind a stored actor or subject, or null (no value, an erased account, an API client).</summary>
    public string? EmailOf(string? stored) => stored is not null && people.TryGetValue(stored, out var person) ? person.Email : null;

    /// <summary>The user id behind a stored actor or subject, or null.</summary>
    public string? UserIdOf(string? stored) => stored is not null && people.TryGetValue(stored, out var person) ? person.UserId : null;

    /// <summary>The event as a sentence about its subject ("bob@example.com signed in with a passkey").</summary>
    public string Sentence(AuditEvent e) =>
        ActivityText.Describe(e, e.SubjectId is null ? ActivityVoice.Unknown
            : EmailOf(e.SubjectId) is { } email ? ActivityVoice.Named(email)
            : AuditPseudonyms.IsPseudonym(e.SubjectId) ? ActivityVoice.Named("A deleted account")
            : ActivityVoice.Unknown).Sentence;

    public static async Task<AuditSubjects> LoadAsync(
        Tessera.Domain.Accounts.UserDirectory directory, AuditPseudonyms pseudonyms, IEnumerable<AuditEvent> events, CancellationToken cancellationToken = default)
    {
        var list = events.ToList();
        var userIds = await pseudonyms.UserIdsAsync(list.Select(e => e.ActorId).Concat(list.Select(e => e.SubjectId)), cancellationToken);
        var emails = await directory.EmailsAsync(userIds.Values, cancellationToken);
        return new AuditSubjects(userIds.Where(p => emails.ContainsKey(p.Value))
            .ToDictionary(p => p.Key, p => (p.Value, emails[p.Value]), StringComparer.Ordinal));
    }
}
