using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors;

/// <summary>An authenticator model (AAGUID) that admins allow for new passkeys.</summary>
public sealed class AllowedPasskeyModel
{
    public Guid Aaguid { get; init; }

    public DateTimeOffset AddedAt { get; init; }

    public string? AddedBy { get; init; }
}

internal sealed class AllowedPasskeyModelConfiguration : IEntityTypeConfiguration<AllowedPasskeyModel>
{
    public void Configure(EntityTypeBuilder<AllowedPasskeyModel> builder)
    {
        builder.HasKey(m => m.Aaguid);
        builder.Property(m => m.AddedBy).HasMaxLength(64);
    }
}

public sealed record AllowedModel(Guid Aaguid, string Name, bool FromConfiguration);

/// <summary>
/// The allow-list of authenticator models for new passkeys: WebAuthn:AllowedAaguids from configuration plus the
/// models admins add in the console. Both empty means any model. Without a FIDO metadata BLOB the AAGUID is the
/// authenticator's own claim, so this steers honest users' devices; it does not prove what a device is. With one,
/// <see cref="Passkeys"/> asks for an attestation and has the model proven and certified as well.
/// </summary>
public sealed class PasskeyModelPolicy(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit,
    IOptions<WebAuthnOptions> options, AuthenticatorModels models)
{
    public async Task<IReadOnlyList<AllowedModel>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.AllowedPasskeyModels.AsNoTracking().Select(m => m.Aaguid).ToListAsync(ct);
        return options.Value.AllowedAaguids.Select(a => new AllowedModel(a, models.NameOf(a), true))
            .Concat(stored.Where(a => !options.Value.AllowedAaguids.Contains(a)).Select(a => new AllowedModel(a, models.NameOf(a), false)))
            .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<bool> IsAllowedAsync(Guid aaguid, CancellationToken ct = default)
    {
        if (options.Value.AllowedAaguids.Contains(aaguid))
        {
            return true;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return options.Value.AllowedAaguids.Count == 0 && !await db.AllowedPasskeyModels.AnyAsync(ct)
            || await db.AllowedPasskeyModels.AnyAsync(m => m.Aaguid == aaguid, ct);
    }

    /// <summary>Whether any model is listed, in configuration or by an admin: an empty list allows every model.</summary>
    public async Task<bool> IsRestrictedAsync(CancellationToken ct = default)
    {
        if (options.Value.AllowedAaguids.Count > 0)
        {
            return true;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AllowedPasskeyModels.AnyAsync(ct);
    }

    public async Task<bool> AllowAsync(Guid aaguid, string actorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.AllowedPasskeyModels.AnyAsync(m => m.Aaguid == aaguid, ct))
        {
            return false;
        }
        db.AllowedPasskeyModels.Add(new AllowedPasskeyModel { Aaguid = aaguid, AddedAt = time.GetUtcNow(), AddedBy = actorId });
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyModelPolicyChanged, AuditOutcome.Success, actorId, Detail: $"allowed {aaguid} ({models.NameOf(aaguid)})"), ct);
        return true;
    }

    public async Task<bool> DisallowAsync(Guid aaguid, string actorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var removed = await db.AllowedPasskeyModels.Where(m => m.Aaguid == aaguid).ExecuteDeleteAsync(ct) == 1;
        if (removed)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.PasskeyModelPolicyChanged, AuditOutcome.Success, actorId, Detail: $"removed {aaguid} ({models.NameOf(aaguid)})"), ct);
        }
        return removed;
    }
}
