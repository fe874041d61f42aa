using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Portal.Tests.Support;

/// <summary>Certificates made on the spot for tests: nothing here is trusted by anything outside the test.</summary>
public static class TestCertificates
{
    public const string Password = "test password";

    /// <summary>Writes a self-signed RSA certificate with its private key as a .pfx (what DataProtection:CertificatePath takes).</summary>
    public static string WriteDataProtectionPfx(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "data-protection.pfx");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Tessera Data Protection test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
