using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class DataProtectionCertificateTests : IDisposable
{
    private readonly string certificateFolder = Path.Combine(Path.GetTempPath(), $"tessera-dp-{Guid.NewGuid():N}");

    [Fact]
    public async Task WithACertificate_TheKeyRingIsEncryptedInTheDatabase()
    {
        using var factory = new TesseraFactory()
            .With("DataProtection:CertificatePath", TestCertificates.WriteDataProtectionPfx(certificateFolder))
            .With("DataProtection:CertificatePassword", TestCertificates.Password);
        using var client = factory.CreateBrowserlessClient();

        await SignIn.AntiforgeryTokenAsync(client, "/Account/Login");

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var xml = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.NotEmpty(xml);
        Assert.All(xml, x => Assert.Contains("EncryptedData", x!));
        Assert.All(xml, x => Assert.DoesNotContain("<masterKey", x!));
    }

    public void Dispose() => Directory.Delete(certificateFolder, recursive: true);
}
