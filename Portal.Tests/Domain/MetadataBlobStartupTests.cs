using Fido2NetLib;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Factors;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>WebAuthn:MetadataBlobPath as the app reads it: verified when the options are, handed to Fido2 once loaded.</summary>
public sealed class MetadataBlobStartupTests : IDisposable
{
    private static readonly Guid CertifiedKey = Guid.Parse("0bb43545-fd2c-4185-87dd-feb0b2916ace");

    private readonly TestMetadata metadata = TestMetadata.Create();
    private readonly string path = Path.Combine(Path.GetTempPath(), $"mds-{Guid.NewGuid():N}.jwt");

    public void Dispose()
    {
        metadata.Dispose();
        File.Delete(path);
    }

    [Fact]
    public void Start_BlobNotUnderTheTrustedRoot_FailsNamingTheSetting()
    {
        using var stranger = TestMetadata.Create("Stranger");
        File.WriteAllText(path, stranger.Sign(TestMetadata.Payload()));
        using var services = Services();

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WebAuthnOptions>>().Value);

        Assert.Contains("WebAuthn:MetadataBlobPath", failure.Message);
        Assert.Contains("does not chain to the trusted root", failure.Message);
    }

    [Fact]
    public void Start_GenuineBlob_IsLoadedAndGivenToFido2()
    {
        File.WriteAllText(path, metadata.Sign(TestMetadata.Payload(metadata.Entry(CertifiedKey, "Test Key Certified", AuthenticatorStatus.FIDO_CERTIFIED))));
        using var services = Services();

        var loaded = services.GetRequiredService<FileMetadataService>();

        Assert.True(loaded.HasBlob);
        Assert.Equal("Test Key Certified", loaded.CertifiedModelName(CertifiedKey));
        Assert.IsType<Fido2>(services.GetRequiredService<IFido2>());
    }

    [Fact]
    public void Start_WithoutABlob_HasNoMetadata()
    {
        using var services = Services(withBlob: false);

        Assert.Same(FileMetadataService.None, services.GetRequiredService<FileMetadataService>());
    }

    private ServiceProvider Services(bool withBlob = true)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WebAuthn:ServerDomain"] = "example.com",
            ["WebAuthn:Origins:0"] = "https://login.example.com",
            ["WebAuthn:MetadataBlobPath"] = withBlob ? path : "",
        });
        builder.AddPasskeys();
        builder.Services.AddLogging();
        // After AddPasskeys, so that these replace the FIDO root and the system clock.
        builder.Services.AddSingleton(new MetadataTrustRoot(metadata.Root));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero)));
        return builder.Services.BuildServiceProvider();
    }
}
