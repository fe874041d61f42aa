using System.ComponentModel.DataAnnotations;
using Fido2NetLib;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tessera.Domain.Factors;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Tests.Domain;

public sealed class WebAuthnOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        Validate(new WebAuthnOptions(), out var valid);

        Assert.True(valid);
    }

    [Fact]
    public void Validate_NoOrigins_PassesBecauseTheyAreTakenFromTheAddresses()
    {
        Validate(new WebAuthnOptions { Origins = [] }, out var valid);

        Assert.True(valid);
    }

    [Theory]
    [InlineData("login.example.com")]
    [InlineData("https://login.example.com/account")]
    [InlineData("ftp://login.example.com")]
    public void Validate_OriginThatIsNotAnOrigin_FailsNamingWebAuthnOrigins(string origin)
    {
        var results = Validate(new WebAuthnOptions { ServerDomain = "example.com", Origins = [origin] }, out var valid);

        Assert.False(valid);
        Assert.Contains("WebAuthn:Origins", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_OriginOutsideTheServerDomain_FailsNamingBothSettings()
    {
        var results = Validate(new WebAuthnOptions { ServerDomain = "example.com", Origins = ["https://example.org"] }, out var valid);

        Assert.False(valid);
        var message = Assert.Single(results).ErrorMessage;
        Assert.Contains("WebAuthn:Origins", message);
        Assert.Contains("WebAuthn:ServerDomain", message);
    }

    [Fact]
    public void Validate_SubdomainOriginWithPort_Passes()
    {
        Validate(new WebAuthnOptions { ServerDomain = "example.com", Origins = ["https://login.example.com:8443/"] }, out var valid);

        Assert.True(valid);
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("example.com:443")]
    [InlineData("")]
    public void Validate_ServerDomainThatIsNotAHost_FailsNamingWebAuthnServerDomain(string domain)
    {
        var results = Validate(new WebAuthnOptions { ServerDomain = domain }, out var valid);

        Assert.False(valid);
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("WebAuthn:ServerDomain", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(301)]
    public void Validate_TimeoutOutOfRange_FailsNamingWebAuthnChallengeTimeoutSeconds(int seconds)
    {
        var results = Validate(new WebAuthnOptions { ChallengeTimeoutSeconds = seconds }, out var valid);

        Assert.False(valid);
        Assert.Contains("WebAuthn:ChallengeTimeoutSeconds", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_MetadataBlobPathOfAMissingFile_FailsNamingWebAuthnMetadataBlobPath()
    {
        var results = Validate(new WebAuthnOptions { MetadataBlobPath = "/nonexistent/mds.jwt" }, out var valid);

        Assert.False(valid);
        Assert.Contains("WebAuthn:MetadataBlobPath", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void AddPasskeys_ConfiguredOrigins_ReplaceTheDefaultInsteadOfJoiningIt()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WebAuthn:ServerDomain"] = "example.com",
            ["WebAuthn:Origins:0"] = "https://login.example.com",
        });
        builder.AddPasskeys();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<WebAuthnOptions>>().Value;

        Assert.Equal(["https://login.example.com"], options.Origins);
        Assert.IsType<Fido2>(services.GetRequiredService<IFido2>());
    }

    [Fact]
    public void AuthenticatorModels_KnownAndUnknownAaguids_NameTheProviderOrFallBack()
    {
        var models = new AuthenticatorModels();

        Assert.Equal("Apple Passwords", models.NameOf(Guid.Parse("fbfc3007-154e-4ecc-8c0b-6e020557d7bd")));
        Assert.Equal(AuthenticatorModels.Unknown, models.NameOf(Guid.Empty));
    }

    private static List<ValidationResult> Validate(WebAuthnOptions options, out bool valid)
    {
        var results = new List<ValidationResult>();
        valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
