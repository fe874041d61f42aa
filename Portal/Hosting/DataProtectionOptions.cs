namespace Tessera.Portal.Hosting;

/// <summary>
/// The <c>DataProtection</c> section. The key ring lives in the database (shared by every node); with a certificate
/// its keys are also encrypted there, so a copy of the database alone does not reveal cookies or field keys.
/// </summary>
public sealed class TesseraDataProtectionOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts the key ring at rest; required outside Development.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }
}
