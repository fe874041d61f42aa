using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Risk;

/// <summary>A device as its owner sees it on /security/sessions.</summary>
public sealed record DeviceView(Guid Id, string Name, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, string? LastPlace, int SignIns,
    DateTimeOffset? RememberedUntil, bool IsThisDevice);

/// <summary>A device seen at a successful sign-in: its name, and whether it was new for the user.</summary>
public sealed record DeviceSeen(bool IsNew, string Name);

/// <summary>
/// The user's known devices, which replace Identity's "remember this browser" cookie: a record per browser (a random
/// id in a signed cookie), named from its browser and OS, renamable and forgettable; "remember this device" trusts it
/// for Risk:RememberDeviceFor under the current security stamp. Trust skips the second factor only when the risk
/// score allows it.
/// </summary>
public sealed class KnownDevices(
    IDbContextFactory<PortalDbContext> dbFactory, Keys.SecretStore secrets, AuditLog audit, IOptions<RiskOptions> options, TimeProvider time)
{
    /// <summary>Records a successful sign-in from the device (by its keyed hash), creating it the first time.</summary>
    internal async Task<DeviceSeen> SeenAsync(string userId, string? deviceKey, string? userAgent, string? place, CancellationToken cancellationToken)
    {
        var name = UserAgentSummary.Parse(userAgent).Name;
        if (deviceKey is null)
        {
            // No cookie (a client that refuses cookies): nothing to recognise it by next time, so it is always new.
            return new DeviceSeen(true, name);
        }
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var updated = await db.KnownDevices.Where(d => d.UserId == userId && d.DeviceKey == deviceKey)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSeenAt, now).SetProperty(d => d.LastPlace, place).SetProperty(d => d.SignIns, d => d.SignIns + 1), cancellationToken);
        if (updated > 0)
        {
            return new DeviceSeen(false, name);
        }
        db.KnownDevices.Add(new KnownDevice
        {
            UserId = userId, DeviceKey = deviceKey, Name = name, FirstSeenAt = now, LastSeenAt = now, LastPlace = place, SignIns = 1,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new DeviceSeen(true, name);
        }
        catch (DbUpdateException)
        {
            // Two sign-ins from one new device at once: the other one created it.
            return new DeviceSeen(false, name);
        }
    }

    /// <summary>"Remember this device": trusted for Risk:RememberDeviceFor, while the security stamp stays the same.</summary>
    public async Task<bool> RememberAsync(string userId, string? deviceId, string? securityStamp, CancellationToken cancellationToken = default)
    {
        if (await KeyAsync(deviceId, cancellationToken) is not { } key)
        {
            return false;
        }
        var until = time.GetUtcNow() + options.Value.RememberDeviceFor;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var done = await db.KnownDevices.Where(d => d.UserId == userId && d.DeviceKey == key)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.TrustedUntil, until).SetProperty(d => d.TrustedStamp, securityStamp), cancellationToken) > 0;
        if (done)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.DeviceTrusted, AuditOutcome.Success, userId, userId, Detail: $"remembered until {until:yyyy-MM-dd}"), cancellationToken);
        }
        return done;
    }

    /// <summary>Whether this device is remembered for the user now, under their current security stamp.</summary>
    public async Task<bool> IsRememberedAsync(string userId, string? deviceId, string? securityStamp, CancellationToken cancellationToken = default)
    {
        if (securityStamp is null || await KeyAsync(deviceId, cancellationToken) is not { } key)
        {
            return false;
        }
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.KnownDevices.AnyAsync(d => d.UserId == userId && d.DeviceKey == key && d.TrustedUntil > now && d.TrustedStamp == securityStamp, cancellationToken);
    }

    public async Task<IReadOnlyList<DeviceView>> ListAsync(string userId, string? currentDeviceId, CancellationToken cancellationToken = default)
    {
        var current = await KeyAsync(currentDeviceId, cancellationToken);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleOrDefaultAsync(cancellationToken);
        var rows = await db.KnownDevices.AsNoTracking().Where(d => d.UserId == userId).ToListAsync(cancellationToken);
        return rows.OrderByDescending(d => d.LastSeenAt)
            .Select(d => new DeviceView(d.Id, d.Name, d.FirstSeenAt, d.LastSeenAt, d.LastPlace, d.SignIns,
                d.TrustedUntil > now && d.TrustedStamp == stamp ? d.TrustedUntil : null, d.DeviceKey == current))
            .ToList();
    }

    /// <summary>Renames one of the user's devices (1 to 64 characters); false when it is not theirs or the name is empty.</summary>
    public async Task<bool> RenameAsync(string userId, Guid deviceId, string name, CancellationToken cancellationToken = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 64)
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var done = await db.KnownDevices.Where(d => d.Id == deviceId && d.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Name, name), cancellationToken) > 0;
        if (done)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.DeviceRenamed, AuditOutcome.Success, userId, userId, Detail: $"renamed to {name}"), cancellationToken);
        }
        return done;
    }

    /// <summary>
    /// Forgets one of the user's devices: its trust ends at its next request, and the history no longer counts it as
    /// known (a lost phone must not lower a thief's score).
    /// </summary>
    public async Task<bool> ForgetAsync(string userId, Guid deviceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var device = await db.KnownDevices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deviceId && d.UserId == userId, cancellationToken);
        if (device is null)
        {
            return false;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.KnownDevices.Where(d => d.Id == deviceId).ExecuteDeleteAsync(cancellationToken);
        await db.RiskSignIns.Where(s => s.UserId == userId && s.DeviceKey == device.DeviceKey)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DeviceKey, (string?)null), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.DeviceForgotten, AuditOutcome.Success, userId, userId, Detail: $"forgot {device.Name}"), cancellationToken);
        return true;
    }

    private async Task<string?> KeyAsync(string? deviceId, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(deviceId) ? null : RiskPseudonyms.Of(await secrets.GetOrCreateAsync(RiskPseudonyms.SecretName, 32, cancellationToken), "dev|" + deviceId);
}
