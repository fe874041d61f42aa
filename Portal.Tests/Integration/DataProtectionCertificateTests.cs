using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class DataProtectionCertificateTests : IDisposable
{
    private readonly string certificatePath = Path.Combine(Path.GetTempPath(), $"tessera-dp-{Guid.NewGuid():N}.pfx");

    [Fact]
    public async Task WithACertificate_TheKeyRingIsEncryptedInTheDatabase()
    {
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Tessera Data Protection test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pkcs12, "test password"));
        }
        using var factory = new TesseraFactory()
            .With("DataProtection:CertificatePath", certificatePath)
            .With("DataProtection:CertificatePassword", "test password");
        using var client = factory.CreateBrowserlessClient();

        await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var xml = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.NotEmpty(xml);
        Assert.All(xml, x => Assert.Contains("EncryptedData", x!));
        Assert.All(xml, x => Assert.DoesNotContain("<masterKey", x!));
    }

    public void Dispose() => File.Delete(certificatePath);
}
