using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Tests.Domain;

public sealed class PublicUrlsTests
{
    [Theory]
    [InlineData("https://id.example.com", true)]
    [InlineData("https://id.example.com:8443/", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("ftp://id.example.com", false)]
    [InlineData("id.example.com", false)]
    [InlineData("https://id.example.com/portal", false)]
    [InlineData("https://id.example.com/?x=1", false)]
    [InlineData("https://user@id.example.com", false)]
    public void PublicBaseUrl_IsAnOriginOnly(string value, bool valid) =>
        Assert.Equal(valid, PublicUrls.Problem(value, required: true) is null);

    [Fact]
    public void PublicBaseUrl_IsRequiredOutsideDevelopmentOnly()
    {
        Assert.Contains("Tessera:PublicBaseUrl must be set outside Development", PublicUrls.Problem("", required: true));
        Assert.Null(PublicUrls.Problem("", required: false));
    }

    [Fact]
    public void Links_AreBuiltOnThePublicBaseUrl()
    {
        var urls = Create("https://id.example.com/", "Production");

        Assert.Equal("https://id.example.com/Account/ResetPassword", urls.Absolute("Account/ResetPassword"));
        Assert.Equal("https://id.example.com/qr/abc", urls.Absolute("/qr/abc"));
    }

    [Theory]
    [InlineData("https://id.example.com", true)]
    [InlineData("https://ID.example.com", true)]
    [InlineData("https://id.example.com:443", true)]
    [InlineData("http://id.example.com", false)]
    [InlineData("https://id.example.com:8443", false)]
    [InlineData("https://evil.example", false)]
    [InlineData("https://sub.id.example.com", false)]
    [InlineData("http://localhost", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Production_AcceptsOnlyThePublicOrigin(string? origin, bool own) =>
        Assert.Equal(own, Create("https://id.example.com", "Production").IsOwnOrigin(origin));

    [Fact]
    public void AllowedHosts_AreThePublicHost_AndLoopbackOnlyInDevelopment()
    {
        Assert.Equal(["id.example.com"], Create("https://id.example.com", "Production").AllowedHosts());
        Assert.Equal(["id.example.com", "localhost", "127.0.0.1", "[::1]"], Create("https://id.example.com", "Development").AllowedHosts());
    }

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("10.0.0.0/24", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.internal", false)]
    public void KnownProxies_AreAddressesOrRanges(string entry, bool parses) =>
        Assert.Equal(parses, Tessera.Portal.Hosting.NetworkOptions.Parse(entry) is not null);

    private static PublicUrls Create(string baseUrl, string environment) =>
        new(Options.Create(new TesseraOptions { PublicBaseUrl = baseUrl }), new Environment(environment), new ServiceCollection().BuildServiceProvider());

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Tessera";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
