using System.Net;
using System.Security.Cryptography;
using System.Text;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Audit;

/// <summary>
/// Replaces a client address with a keyed hash (HMAC-SHA256, truncated): the same address links across events,
/// but without the key nobody can test guesses against the log.
/// </summary>
public sealed class IpPseudonymizer(SecretStore secrets)
{
    public const string SecretName = "audit.ip-pseudonym";

    private Task<byte[]> KeyAsync() => secrets.GetOrCreateAsync(SecretName, 32);

    public async Task<string?> PseudonymizeAsync(string? ipAddress)
    {
        if (string.IsNullOrWhiteSpace(ipAddress))
        {
            return null;
        }

        // One address written two ways (IPv4 and IPv4-mapped IPv6) must give one pseudonym.
        var normalized = IPAddress.TryParse(ipAddress, out var ip)
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
            : ipAddress.Trim();
        var mac = HMACSHA256.HashData(await KeyAsync(), Encoding.UTF8.GetBytes(normalized));
        return Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
