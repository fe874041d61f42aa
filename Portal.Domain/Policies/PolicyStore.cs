using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Policies;

/// <summary>Who saves the policies: recorded on the document and as the audit actor.</summary>
public sealed record PolicyEditor(string UserId, string? Name);

/// <summary>What the admin page shows: the effective set, the configured defaults and who changed it last.</summary>
public sealed record PolicyState(PolicySet Current, PolicySet Defaults, long Version, bool Customised, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <param name="Conflict">Someone else saved since <c>expectedVersion</c> was read; nothing was written.</param>
public sealed record PolicyUpdateResult(bool Saved, IReadOnlyList<PolicyError> Errors, bool Conflict = false)
{
    public static readonly PolicyUpdateResult Unchanged = new(true, []);
}

/// <summary>
/// The policies in force: configured defaults (<see cref="PoliciesOptions"/>) overridden by the admin's edits, stored in
/// the database as one versioned JSON document. Each node caches the snapshot for <see cref="CacheFor"/>, then asks
/// the database for the version only and reloads the document when it has changed; an edit therefore reaches every
/// node within <see cref="CacheFor"/> (at once on the node that saved it), without a restart.
/// </summary>
public sealed class PolicyStore(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit, IOptions<PoliciesOptions> options)
    : IPolicies
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Snapshot? snapshot;

    private PolicySet Defaults => options.Value.Defaults;

    public async ValueTask<PolicySet> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var cached = snapshot;
        if (cached is not null && now - cached.CheckedAt < CacheFor)
        {
            return cached.Policies;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.PolicyDocuments.Where(d => d.Id == PolicyDocument.SingletonId)
            .Select(d => (long?)d.Version).SingleOrDefaultAsync(cancellationToken) ?? 0;
        if (cached is not null && cached.Version == version)
        {
            snapshot = cached with { CheckedAt = now };
            return cached.Policies;
        }
        var document = await db.PolicyDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == PolicyDocument.SingletonId, cancellationToken);
        return Remember(document, now).Policies;
    }

    /// <summary>Read straight from the database (not the cache), for the admin page.</summary>
    public async Task<PolicyState> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var document = await db.PolicyDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == PolicyDocument.SingletonId, cancellationToken);
        var current = Remember(document, time.GetUtcNow()).Policies;
        return new PolicyState(current, Defaults, document?.Version ?? 0, document?.Json is not null,
            document?.UpdatedAt, document?.UpdatedByName ?? document?.UpdatedById);
    }

    /// <summary>
    /// Validates and saves <paramref name="next"/> if the stored version is still <paramref name="expectedVersion"/>
    /// (two admins editing at once must not silently overwrite each other), and audits what changed.
    /// </summary>
    public Task<PolicyUpdateResult> UpdateAsync(PolicySet next, long expectedVersion, PolicyEditor editor, CancellationToken cancellationToken = default)
    {
        var errors = PolicyValidator.Validate(next);
        return errors.Count > 0
            ? Task.FromResult(new PolicyUpdateResult(false, errors))
            : SaveAsync(JsonSerializer.Serialize(next, Json), next, expectedVersion, editor, "updated", cancellationToken);
    }

    /// <summary>Drops the admin's edits: the configured defaults apply again.</summary>
    public Task<PolicyUpdateResult> ResetAsync(long expectedVersion, PolicyEditor editor, CancellationToken cancellationToken = default) =>
        SaveAsync(null, Defaults, expectedVersion, editor, "reset to defaults", cancellationToken);

    private async Task<PolicyUpdateResult> SaveAsync(
        string? json, PolicySet next, long expectedVersion, PolicyEditor editor, string action, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.PolicyDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == PolicyDocument.SingletonId, cancellationToken);
        if ((stored?.Version ?? 0) != expectedVersion)
        {
            return await ConflictAsync(editor, cancellationToken);
        }
        var before = Parse(stored);
        var changes = PolicyValidator.Describe(before, next);
        if (changes.Length == 0 && (stored?.Json is null) == (json is null))
        {
            return PolicyUpdateResult.Unchanged;
        }

        if (stored is null)
        {
            db.PolicyDocuments.Add(new PolicyDocument
            {
                Json = json, Version = 1, UpdatedAt = now, UpdatedById = editor.UserId, UpdatedByName = editor.Name,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node inserted the first document at the same moment.
                return await ConflictAsync(editor, cancellationToken);
            }
        }
        else
        {
            // Conditional on the version read: of two concurrent saves, one wins and the other is told to reload.
            var updated = await db.PolicyDocuments
                .Where(d => d.Id == PolicyDocument.SingletonId && d.Version == expectedVersion)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Json, json)
                    .SetProperty(d => d.Version, d => d.Version + 1)
                    .SetProperty(d => d.UpdatedAt, now)
                    .SetProperty(d => d.UpdatedById, editor.UserId)
                    .SetProperty(d => d.UpdatedByName, editor.Name), cancellationToken);
            if (updated == 0)
            {
                return await ConflictAsync(editor, cancellationToken);
            }
        }
        snapshot = new Snapshot(next, expectedVersion + 1, now);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PoliciesChanged, AuditOutcome.Success, editor.UserId,
            Detail: changes.Length == 0 ? action : $"{action}: {changes}"), cancellationToken);
        return new PolicyUpdateResult(true, []);
    }

    private async Task<PolicyUpdateResult> ConflictAsync(PolicyEditor editor, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PoliciesChanged, AuditOutcome.Failure, editor.UserId,
            Detail: "not saved: changed by someone else since it was read"), cancellationToken);
        return new PolicyUpdateResult(false, [], Conflict: true);
    }

    private Snapshot Remember(PolicyDocument? document, DateTimeOffset now)
    {
        var fresh = new Snapshot(Parse(document), document?.Version ?? 0, now);
        snapshot = fresh;
        return fresh;
    }

    private PolicySet Parse(PolicyDocument? document) =>
        document?.Json is { } json ? JsonSerializer.Deserialize<PolicySet>(json, Json) ?? Defaults : Defaults;

    private sealed record Snapshot(PolicySet Policies, long Version, DateTimeOffset CheckedAt);
}
