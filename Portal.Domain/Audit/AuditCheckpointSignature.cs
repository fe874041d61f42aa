using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Domain.Audit;

/// <summary>
/// What a checkpoint's signature covers and how it is checked: ECDSA P-256 over SHA-256, DER-encoded, so an export
/// can be verified offline with nothing but the public key (<c>audit-verify</c>, or <c>openssl dgst -sha256 -verify</c>
/// over <see cref="SignedText"/>).
/// </summary>
public static class AuditCheckpointSignature
{
    public const string Algorithm = "ES256";

    /// <summary>The key's name: the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo, in hex.</summary>
    public static string KeyIdOf(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    public static string SignedText(AuditCheckpoint c) => string.Join('\n',
        "tessera-audit-checkpoint/v2",
        c.Sequence.ToString(CultureInfo.InvariantCulture),
        c.EventHash,
        c.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        c.EventCount.ToString(CultureInfo.InvariantCulture),
        c.Kind.ToString(),
        c.KeyId);

    /// <summary>Sets <see cref="AuditCheckpoint.KeyId"/> and <see cref="AuditCheckpoint.Signature"/>.</summary>
    public static void Sign(ECDsa key, AuditCheckpoint c)
    {
        c.KeyId = KeyIdOf(key);
        c.Signature = Convert.ToBase64String(
            key.SignData(Encoding.UTF8.GetBytes(SignedText(c)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    /// <summary>Whether <paramref name="publicKey"/> is the key the checkpoint names and its signature verifies.</summary>
    public static bool Verify(ECDsa publicKey, AuditCheckpoint c)
    {
        if (c.KeyId is null || c.KeyId != KeyIdOf(publicKey))
        {
            return false;
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(c.Signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(SignedText(c)), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>A public key from PEM ("BEGIN PUBLIC KEY"), or null when the text holds none.</summary>
    public static ECDsa? ImportPublicKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }
}
