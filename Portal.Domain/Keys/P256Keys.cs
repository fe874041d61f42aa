using System.Security.Cryptography;
using System.Text;

namespace Tessera.Domain.Keys;

/// <summary>
/// A P-256 key pair derived from an install secret, so it is made on first start, stored wrapped like every other
/// secret, and the same on every node. <paramref name="label"/> separates the keys of different purposes.
/// </summary>
public static class P256Keys
{
    // The order of the P-256 group: a private scalar must be below it and not zero.
    private static readonly byte[] Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    /// <summary>The key with its private part; dispose it.</summary>
    public static ECDsa Derive(byte[] secret, string label)
    {
        // HMAC of the secret, again with a counter in the (2^-32) case that it is not a valid scalar.
        for (byte counter = 0; ; counter++)
        {
            var d = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{label} {counter}"));
            if (d.AsSpan().SequenceCompareTo(Order) >= 0 || d.All(b => b == 0))
            {
                continue;
            }
            return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        }
    }
}
