using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Audit;

/// <summary>
/// Replaces a client address with a keyed hash (HMAC-SHA256, truncated, tagged with the key's version): the same
/// address links across events, but without the key nobody can test guesses against the log. A search for an address
/// looks for its pseudonym under every version, so a rotation hides nothing from an administrator.
/// </summary>
public sealed class IpPseudonymizer(SecretStore secrets)
{
    public const string SecretName = "audit.ip-pseudonym";

    /// <summary>The address's pseudonym under the current version: what is stored.</summary>
    public async Task<string?> PseudonymizeAsync(string? ipAddress) =>
        Normalize(ipAddress) is { } address ? Pseudonym(await secrets.CurrentAsync(SecretName, 32), address) : null;

    /// <summary>The address's pseudonym under every version this install still has, the current one first: what is searched for.</summary>
    public async Task<IReadOnlyList<string>> PseudonymsAsync(string? ipAddress, CancellationToken cancellationToken = default) =>
        Normalize(ipAddress) is { } address
            ? (await secrets.VersionsAsync(SecretName, 32, cancellationToken)).Select(v => Pseudonym(v, address)).ToList()
            : [];

    // One address written two ways (IPv4 and IPv4-mapped IPv6) must give one pseudonym.
    private static string? Normalize(string? ipAddress) =>
        string.IsNullOrWhiteSpace(ipAddress) ? null
        : IPAddress.TryParse(ipAddress, out var ip) ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : ipAddress.Trim();

    private static string Pseudonym(InstallSecret key, string address)
    {
        var mac = HMACSHA256.HashData(key.Key, Encoding.UTF8.GetBytes(address));
        return key.Tag + Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>
/// The address key: pseudonyms in the audit chain cannot be made again (the address is not kept, and the events are
/// hashed), so an old version is kept while an event, a session or a QR sign-in still carries a pseudonym made with it
/// (audit retention and the session purge end that). Destroyed, it leaves those pseudonyms linkable to no address.
/// </summary>
public sealed class IpPseudonymSecret(IDbContextFactory<PortalDbContext> dbFactory) : IVersionedSecret
{
    public string Name => IpPseudonymizer.SecretName;

    public string Purpose => "Addresses in the audit log and sessions";

    public Task<int> RemakeAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task<bool> InUseAsync(int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.Where(e => e.IpPseudonym != null).MadeWith(e => e.IpPseudonym!, version).AnyAsync(cancellationToken)
            || await db.AuditStaged.Where(e => e.IpPseudonym != null).MadeWith(e => e.IpPseudonym!, version).AnyAsync(cancellationToken)
            || await db.UserSessions.Where(s => s.IpPseudonym != null).MadeWith(s => s.IpPseudonym!, version).AnyAsync(cancellationToken)
            || await db.QrSignInSessions.Where(s => s.RequesterIpPseudonym != null).MadeWith(s => s.RequesterIpPseudonym!, version).AnyAsync(cancellationToken);
    }
}
