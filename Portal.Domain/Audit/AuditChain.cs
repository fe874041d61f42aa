using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Domain.Audit;

/// <summary>The hash chain: each event's hash covers its own fields and the previous event's hash.</summary>
public static class AuditChain
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ComputeHash(AuditEvent e)
    {
        var canonical = new StringBuilder();
        // Length-prefixed fields: no value can be shifted into its neighbour to forge the same text.
        Append(canonical, e.Sequence.ToString(CultureInfo.InvariantCulture));
        Append(canonical, e.OccurredAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Append(canonical, e.Type);
        Append(canonical, e.Outcome.ToString());
        Append(canonical, e.ActorId);
        Append(canonical, e.SubjectId);
        Append(canonical, e.IpPseudonym);
        Append(canonical, e.UserAgent);
        Append(canonical, e.Detail);
        Append(canonical, e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private static void Append(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("-1:");
            return;
        }
        sb.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
    }
}
