using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>Stores the options of a ceremony and hands them back once: the database decides that they were unused.</summary>
internal sealed class CeremonyChallenges(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, int timeoutSeconds)
{
    public async Task<Guid> IssueAsync(string purpose, string? userId, string optionsJson, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var challenge = new WebAuthnChallenge
        {
            Purpose = purpose,
            UserId = userId,
            OptionsJson = optionsJson,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(timeoutSeconds),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.WebAuthnChallenges.Add(challenge);
        await db.SaveChangesAsync(cancellationToken);
        return challenge.Id;
    }

    /// <summary>
    /// Marks the challenge used and returns its options, or null when it is unknown, for another purpose or user,
    /// expired or already used. Consumed before the response is even looked at, so a response verifies at most once,
    /// and a failed attempt burns the challenge too (the browser starts a new ceremony).
    /// </summary>
    /// <param name="userId">The user the ceremony must have been begun for; null accepts only a challenge begun for no user.</param>
    /// <param name="anyUser">For a passwordless assertion: a challenge begun for no user is accepted whatever <paramref name="userId"/> is.</param>
    public async Task<string?> ConsumeAsync(Guid id, string purpose, string? userId, bool anyUser, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var consumed = await db.WebAuthnChallenges
            .Where(c => c.Id == id && c.Purpose == purpose && c.ConsumedAt == null && c.ExpiresAt > now
                && (c.UserId == userId || (anyUser && c.UserId == null)))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ConsumedAt, now), cancellationToken);
        if (consumed != 1)
        {
            return null;
        }
        return await db.WebAuthnChallenges.AsNoTracking().Where(c => c.Id == id).Select(c => c.OptionsJson).SingleAsync(cancellationToken);
    }

    /// <summary>Deletes challenges that can no longer be used: they only ever matter for their few minutes.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddHours(-1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebAuthnChallenges.Where(c => c.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
