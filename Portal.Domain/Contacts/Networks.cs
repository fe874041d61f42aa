using System.Net;

namespace Tessera.Domain.Contacts;

/// <summary>The network an address belongs to: what limits count per, and what people recognise.</summary>
public static class Networks
{
    /// <summary>IPv4 keeps its first three bytes ("203.0.113.x"), IPv6 its first 48 bits ("2001:db8:1::/48"); null when unparsable.</summary>
    public static string? Of(string? ipAddress)
    {
        if (!IPAddress.TryParse(ipAddress?.Trim(), out var ip))
        {
            return null;
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        var bytes = ip.GetAddressBytes();
        if (bytes.Length == 4)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.x";
        }
        Array.Clear(bytes, 6, bytes.Length - 6);
        return new IPAddress(bytes) + "/48";
    }
}
