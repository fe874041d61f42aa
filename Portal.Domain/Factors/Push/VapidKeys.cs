using System.Buffers.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Factors.Push;

/// <summary>One version of the server's VAPID key pair (RFC 8292), base64url as browsers and push services take it.</summary>
/// <param name="PublicKey">The uncompressed P-256 point (65 bytes): the <c>applicationServerKey</c> of a subscription.</param>
/// <param name="PrivateKey">The 32-byte private scalar.</param>
public sealed record VapidKey(int Version, string PublicKey, string PrivateKey);

/// <summary>
/// The server's Web Push identity: a P-256 key pair derived from an install secret (<see cref="SecretName"/>), so it is
/// made on first start, stored wrapped by Data Protection, and the same on every node. A subscription is bound to the
/// key it was made with, so a push is signed with its device's version; a rotation only changes what new devices get.
/// </summary>
public sealed class VapidKeys(SecretStore store)
{
    public const string SecretName = "push.vapid";

    public async Task<VapidKey> CurrentAsync(CancellationToken cancellationToken = default) =>
        Derive(await store.CurrentAsync(SecretName, SecretRotation.KeyLength, cancellationToken));

    /// <summary>The key a device subscribed with; null once that version was retired (the device must subscribe again).</summary>
    public async Task<VapidKey?> VersionAsync(int version, CancellationToken cancellationToken = default) =>
        await store.VersionAsync(SecretName, SecretRotation.KeyLength, version, cancellationToken) is { } secret ? Derive(secret) : null;

    internal static VapidKey Derive(InstallSecret secret)
    {
        using var key = P256Keys.Derive(secret.Key, "Tessera VAPID P-256");
        var parameters = key.ExportParameters(true);
        return new VapidKey(secret.Version, Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D!));
    }
}

/// <summary>
/// The VAPID key as an install secret: nothing can be made again under a new version (only the browser can subscribe
/// again), so an old version is kept while a device still uses it.
/// </summary>
public sealed class VapidSecret(IDbContextFactory<PortalDbContext> dbFactory) : IVersionedSecret
{
    public string Name => VapidKeys.SecretName;

    public string Purpose => "Web Push sender key (VAPID)";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushDevices.AnyAsync(d => d.VapidVersion == version, cancellationToken);
    }
}
