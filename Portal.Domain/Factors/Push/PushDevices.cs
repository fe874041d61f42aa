using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors.Push;

/// <summary>What a browser's <c>PushSubscription.toJSON()</c> gives: the endpoint and the two keys (base64url).</summary>
public sealed record PushSubscriptionInput(string? Endpoint, string? P256dh, string? Auth);

public enum PushRegistrationOutcome
{
    Added,
    /// <summary>The browser was registered already: its keys were refreshed.</summary>
    Updated,
    Invalid,
    TooMany,
    StepUpRequired,
}

/// <param name="Error">For <see cref="PushRegistrationOutcome.Invalid"/>: what was wrong, for the person.</param>
/// <param name="FirstRecoveryCodes">With the user's first factor: their first recovery codes, shown once.</param>
public sealed record PushRegistration(PushRegistrationOutcome Outcome, Guid? Id = null, string? Error = null, IReadOnlyList<string>? FirstRecoveryCodes = null);

public sealed record PushDeviceView(Guid Id, string Name, string? Device, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>What the push channel needs to send to one device (decrypted: only for the send).</summary>
public sealed record PushTarget(Guid Id, string UserId, string Name, string Endpoint, string P256dh, string Auth, int VapidVersion);

/// <summary>
/// The users' push devices: registration from the browser's subscription (validated: a push service Tessera trusts,
/// a real P-256 key), names, and what the push channel reads. Additions and removals go through
/// <see cref="FactorLifecycle"/> like every factor's (the first freely, later ones after a step-up; emails, audit).
/// </summary>
public sealed class PushDevices(
    IDbContextFactory<PortalDbContext> dbFactory, FactorLifecycle factors, VapidKeys vapid, AuditLog audit, IOptions<PushOptions> options, TimeProvider time)
{
    public const int MaxNameLength = 64;

    public async Task<PushRegistration> RegisterAsync(string userId, PushSubscriptionInput input, string? name, string? userAgent,
        StepUpProof? proof, CancellationToken cancellationToken = default)
    {
        if (Validate(input, options.Value) is { } error)
        {
            await RecordAsync(AuditEventTypes.PushDeviceAdded, AuditOutcome.Failure, userId, $"refused: {error}", cancellationToken);
            return new PushRegistration(PushRegistrationOutcome.Invalid, Error: error);
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(input.Endpoint!));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await vapid.CurrentAsync(cancellationToken);
        // The same browser again (a new permission, a refreshed subscription): same endpoint, so only the keys change.
        // That cannot point pushes anywhere new, so it needs no step-up.
        var refreshed = await db.PushDevices.Where(d => d.UserId == userId && d.EndpointHash == hash)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Endpoint, input.Endpoint!)
                .SetProperty(d => d.P256dh, input.P256dh!)
                .SetProperty(d => d.Auth, input.Auth!)
                .SetProperty(d => d.VapidVersion, key.Version), cancellationToken);
        if (refreshed == 1)
        {
            var id = await db.PushDevices.Where(d => d.UserId == userId && d.EndpointHash == hash).Select(d => d.Id).SingleAsync(cancellationToken);
            await RecordAsync(AuditEventTypes.PushDeviceAdded, AuditOutcome.Success, userId, $"id={id}; subscription refreshed", cancellationToken);
            return new PushRegistration(PushRegistrationOutcome.Updated, id);
        }
        // A soft cap: two racing registrations may both pass it, which leaves one device too many, not a flood.
        if (await db.PushDevices.CountAsync(d => d.UserId == userId, cancellationToken) >= options.Value.MaxDevicesPerUser)
        {
            await RecordAsync(AuditEventTypes.PushDeviceAdded, AuditOutcome.Failure, userId, $"refused: already {options.Value.MaxDevicesPerUser} push devices", cancellationToken);
            return new PushRegistration(PushRegistrationOutcome.TooMany);
        }
        if (!await factors.MayAddAsync(userId, proof, cancellationToken: cancellationToken))
        {
            await RecordAsync(AuditEventTypes.PushDeviceAdded, AuditOutcome.Failure, userId, "refused: no valid step-up proof", cancellationToken);
            return new PushRegistration(PushRegistrationOutcome.StepUpRequired);
        }
        var device = Audit.UserAgentSummary.Summarize(userAgent);
        var row = new PushDevice
        {
            UserId = userId,
            Name = CleanName(name, device),
            Endpoint = input.Endpoint!,
            EndpointHash = hash,
            P256dh = input.P256dh!,
            Auth = input.Auth!,
            Device = device,
            VapidVersion = key.Version,
            CreatedAt = time.GetUtcNow(),
        };
        db.PushDevices.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same browser registered in a parallel request a moment ago: that one stands.
            return new PushRegistration(PushRegistrationOutcome.Updated);
        }
        var added = await factors.AddedAsync(userId, FactorKind.PushDevice, row.Id, row.Name,
            $"id={row.Id}; device={device ?? "unknown"}; service={new Uri(row.Endpoint).Host}", cancellationToken);
        return new PushRegistration(PushRegistrationOutcome.Added, row.Id, FirstRecoveryCodes: added.FirstRecoveryCodes);
    }

    public async Task<IReadOnlyList<PushDeviceView>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushDevices.AsNoTracking().Where(d => d.UserId == userId).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .Select(d => new PushDeviceView(d.Id, d.Name, d.Device, d.CreatedAt, d.LastUsedAt)).ToListAsync(cancellationToken);
    }

    public async Task<bool> RenameAsync(string userId, Guid id, string? name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var device = await db.PushDevices.Where(d => d.Id == id && d.UserId == userId).Select(d => new { d.Device }).SingleOrDefaultAsync(cancellationToken);
        if (device is null)
        {
            return false;
        }
        var clean = CleanName(name, device.Device);
        var renamed = await db.PushDevices.Where(d => d.Id == id && d.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Name, clean), cancellationToken) == 1;
        if (renamed)
        {
            await RecordAsync(AuditEventTypes.PushDeviceRenamed, AuditOutcome.Success, userId, $"id={id}", cancellationToken);
        }
        return renamed;
    }

    /// <summary>The devices to push to: one of the user's, or all of them when <paramref name="deviceId"/> is null.</summary>
    public async Task<IReadOnlyList<PushTarget>> TargetsAsync(string userId, Guid? deviceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushDevices.AsNoTracking().Where(d => d.UserId == userId && (deviceId == null || d.Id == deviceId))
            .OrderBy(d => d.CreatedAt)
            .Select(d => new PushTarget(d.Id, d.UserId, d.Name, d.Endpoint, d.P256dh, d.Auth, d.VapidVersion)).ToListAsync(cancellationToken);
    }

    public async Task<PushTarget?> TargetAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushDevices.AsNoTracking().Where(d => d.Id == deviceId)
            .Select(d => new PushTarget(d.Id, d.UserId, d.Name, d.Endpoint, d.P256dh, d.Auth, d.VapidVersion)).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>A push reached the push service: the device's "last used".</summary>
    public async Task UsedAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        await db.PushDevices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastUsedAt, now), cancellationToken);
    }

    /// <summary>The push service answered 404 or 410: the subscription is gone for good (unsubscribed, expired).</summary>
    public Task GoneAsync(Guid deviceId, string why, CancellationToken cancellationToken = default) =>
        factors.GoneAsync(FactorKind.PushDevice, deviceId, why, cancellationToken);

    /// <summary>What is wrong with a subscription, for the person; null when it may be stored.</summary>
    public static string? Validate(PushSubscriptionInput input, PushOptions options)
    {
        if (string.IsNullOrWhiteSpace(input.Endpoint) || input.Endpoint.Length > 2048
            || !Uri.TryCreate(input.Endpoint, UriKind.Absolute, out var endpoint) || !string.IsNullOrEmpty(endpoint.UserInfo))
        {
            return "The subscription has no valid endpoint.";
        }
        var loopback = options.AllowLoopbackEndpoints && IPAddress.TryParse(endpoint.Host, out var ip) && IPAddress.IsLoopback(ip);
        if (!loopback && (endpoint.Scheme != Uri.UriSchemeHttps || !IsAllowedHost(endpoint.Host, options.EndpointHosts)))
        {
            return "This browser's push service is not one Tessera sends to.";
        }
        if (!TryDecode(input.P256dh, out var p256dh) || p256dh.Length != 65 || p256dh[0] != 0x04 || !IsCurvePoint(p256dh))
        {
            return "The subscription's p256dh key is not a P-256 public key.";
        }
        if (!TryDecode(input.Auth, out var auth) || auth.Length != 16)
        {
            return "The subscription's auth secret is not 16 bytes.";
        }
        return null;
    }

    /// <summary>Trimmed, at most <see cref="MaxNameLength"/> characters; empty becomes the browser and OS.</summary>
    public static string CleanName(string? name, string? device)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            trimmed = device ?? "This device";
        }
        return trimmed.Length > MaxNameLength ? trimmed[..MaxNameLength] : trimmed;
    }

    private static bool IsAllowedHost(string host, IEnumerable<string> allowed) =>
        allowed.Any(a => host.Equals(a, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + a, StringComparison.OrdinalIgnoreCase));

    private static bool TryDecode(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value) || value.Length > 256)
        {
            return false;
        }
        try
        {
            // Browsers send base64url without padding; some libraries pad.
            bytes = Base64Url.DecodeFromChars(value.TrimEnd('='));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsCurvePoint(byte[] point)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private Task RecordAsync(string type, AuditOutcome outcome, string userId, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(type, outcome, userId, userId, Detail: detail), cancellationToken);
}
