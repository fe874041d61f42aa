namespace Tessera.Domain.Keys;

/// <summary>
/// Encrypts the columns marked <see cref="EncryptedAttribute"/>. A seam: the app uses <see cref="FieldKeyRing"/>,
/// the design-time factories of Migrations/ use <see cref="DesignTimeFieldEncryptor"/>, which never encrypts.
/// </summary>
public interface IFieldEncryptor
{
    string Encrypt(byte[] plaintext);

    byte[] Decrypt(string stored);
}
