using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Domain.Factors;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// Where the app listens follows ASP.NET Core's standard settings and precedence (appsettings.json sets no <c>Urls</c>
/// that would override them), and in Development a changed port keeps passkeys working.
/// </summary>
public sealed class ListenAddressTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "tessera-listen", Guid.NewGuid().ToString("N"));

    public ListenAddressTests() => Directory.CreateDirectory(work);

    [Fact]
    public async Task AspNetCoreUrls_IsHonoured()
    {
        var port = PortalProcess.FreePort();
        using var app = Start([], ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"));

        Assert.Contains("Healthy", await app.GetWhenUpAsync(new Uri($"http://127.0.0.1:{port}"), "/health"));
    }

    [Fact]
    public async Task AspNetCoreHttpPorts_AsContainerImagesSetIt_IsHonoured()
    {
        var port = PortalProcess.FreePort();
        using var app = Start([], ("ASPNETCORE_HTTP_PORTS", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Contains("Healthy", await app.GetWhenUpAsync(new Uri($"http://127.0.0.1:{port}"), "/health"));
    }

    [Fact]
    public async Task CommandLineUrls_WinOverTheEnvironment()
    {
        var fromEnvironment = PortalProcess.FreePort();
        var fromCommandLine = PortalProcess.FreePort();
        using var app = Start(["--urls", $"http://127.0.0.1:{fromCommandLine}"], ("ASPNETCORE_URLS", $"http://127.0.0.1:{fromEnvironment}"));

        Assert.Contains("Healthy", await app.GetWhenUpAsync(new Uri($"http://127.0.0.1:{fromCommandLine}"), "/health"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{fromEnvironment}/health"));
    }

    [Fact]
    public void ListenAddresses_SeeEveryStandardSetting()
    {
        Assert.False(ListenAddresses.IsConfigured(Configuration()));
        Assert.True(ListenAddresses.IsConfigured(Configuration(("urls", "http://localhost:6000"))));
        Assert.True(ListenAddresses.IsConfigured(Configuration(("HTTP_PORTS", "8080"))));
        Assert.True(ListenAddresses.IsConfigured(Configuration(("https_ports", "8443"))));
        Assert.True(ListenAddresses.IsConfigured(Configuration(("Kestrel:Endpoints:Http:Url", "http://localhost:6001"))));
    }

    [Fact]
    public void InDevelopment_WithoutWebAuthnOrigins_TheListeningAddressIsAnAllowedOrigin()
    {
        using var factory = new TesseraFactory();
        var port = PortalProcess.FreePort();
        factory.StartKestrel(port);

        var options = factory.Services.GetRequiredService<IOptions<WebAuthnOptions>>().Value;
        var origins = PasskeysExtensions.Origins(options, factory.Services);

        Assert.Empty(options.Origins);
        Assert.Contains($"http://localhost:{port}", origins);
        // 127.0.0.1 is never an origin a ceremony for the relying party id "localhost" could pass.
        Assert.DoesNotContain(origins, o => o.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void InProduction_WithoutWebAuthnOrigins_OnlyThePublicAddressIsAnAllowedOrigin()
    {
        using var factory = new TesseraFactory().InProduction("https://id.tessera.test").With("WebAuthn:ServerDomain", "id.tessera.test");
        factory.StartKestrel(PortalProcess.FreePort());

        var options = factory.Services.GetRequiredService<IOptions<WebAuthnOptions>>().Value;

        Assert.Equal(["https://id.tessera.test"], PasskeysExtensions.Origins(options, factory.Services));
    }

    private PortalProcess.Running Start(string[] args, params (string Key, string Value)[] variables)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Tessera__DataDirectory"] = Path.Combine(work, "data"),
            ["Jobs__RunServer"] = "false",
        };
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }
        return PortalProcess.Start(PortalProcess.BuiltAssembly, args, environment, work);
    }

    private static Microsoft.Extensions.Configuration.IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
