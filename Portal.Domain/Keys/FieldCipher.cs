using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Domain.Keys;

/// <summary>The v1 stored form of an encrypted field: "v1:{keyId}:{base64(nonce | ciphertext | tag)}", AES-256-GCM.</summary>
internal static class FieldCipher
{
    public const int KeySize = 32;
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Seal(int keyId, byte[] key, byte[] plaintext)
    {
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        // Random 96-bit nonces: safe for far more values than one key will ever encrypt before rotation.
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), AssociatedData(keyId));
        return string.Create(CultureInfo.InvariantCulture, $"{Version}:{keyId}:{Convert.ToBase64String(sealedBytes)}");
    }

    /// <summary>Splits a stored value into its key id and sealed bytes; the value itself never appears in the error.</summary>
    public static (int KeyId, byte[] Sealed) Parse(string stored)
    {
        var parts = stored.Split(':');
        if (parts.Length != 3 || parts[0] != Version
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) || keyId <= 0)
        {
            throw new CryptographicException("The stored field value is not in the v1 encrypted format.");
        }
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            throw new CryptographicException("The stored field value is not in the v1 encrypted format: its payload is not base64.");
        }
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored field value is not in the v1 encrypted format: its payload is too short.");
        }
        return (keyId, sealedBytes);
    }

    public static byte[] Open(int keyId, byte[] key, byte[] sealedBytes)
    {
        var ciphertextLength = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[ciphertextLength];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, ciphertextLength),
                sealedBytes.AsSpan(NonceSize + ciphertextLength), plaintext, AssociatedData(keyId));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new CryptographicException(
                $"The stored field value under field key {keyId} failed authentication: it was altered, or moved from another key id.", ex);
        }
        return plaintext;
    }

    // The key id is bound into the tag, so a value cannot be relabelled to another key id and still open.
    private static byte[] AssociatedData(int keyId) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Tessera.Field.{Version}:{keyId}"));
}
