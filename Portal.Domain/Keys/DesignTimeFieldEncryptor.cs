namespace Tessera.Domain.Keys;

/// <summary>
/// For building the model without a key ring (dotnet ef, model checks): the converters only need an encryptor to
/// exist, and reading or writing an encrypted column in that situation is a bug, so it throws.
/// </summary>
public sealed class DesignTimeFieldEncryptor : IFieldEncryptor
{
    /// <summary>One instance, so every design-time context shares one cached model.</summary>
    public static readonly DesignTimeFieldEncryptor Instance = new();

    private DesignTimeFieldEncryptor()
    {
    }

    public string Encrypt(byte[] plaintext) =>
        throw new NotSupportedException("Encrypted columns cannot be written at design time: there is no field key ring.");

    public byte[] Decrypt(string stored) =>
        throw new NotSupportedException("Encrypted columns cannot be read at design time: there is no field key ring.");
}
