using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The app as a process: bad settings stop it with the setting's name; create-admin works from the command line.</summary>
public sealed class CommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "tessera-cli", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Database__Provider", "PostgreSql", "Database:ConnectionString")]
    [InlineData("Accounts__MaxFailedAccessAttempts", "0", "Accounts:MaxFailedAccessAttempts")]
    [InlineData("Email__Transport", "Pigeon", "Email:Transport")]
    [InlineData("Delivery__Sms__Provider", "Gateway", "Delivery:Sms:Gateway:Url")]
    [InlineData("Delivery__Sms__Provider", "Twilio", "Delivery:Sms:Twilio:AccountSid")]
    [InlineData("Delivery__RetryDelays__0", "-00:00:05", "Delivery:RetryDelays")]
    [InlineData("Audit__RetentionDays", "-1", "Audit:RetentionDays")]
    [InlineData("DataProtection__CertificatePath", "/nonexistent/keys.pfx", "DataProtection:CertificatePath")]
    [InlineData("Tessera__PublicBaseUrl", "id.example.com", "Tessera:PublicBaseUrl")]
    [InlineData("Tessera__PublicBaseUrl", "https://id.example.com/portal", "Tessera:PublicBaseUrl")]
    [InlineData("Network__KnownProxies__0", "proxy.internal", "Network:KnownProxies")]
    public async Task BadSetting_StopsTheApp_NamingTheSetting(string variable, string value, string named)
    {
        var (exit, output) = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, [], Environment(variable, value), Timeout);

        Assert.True(exit == 2, output);
        Assert.Contains(named, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task OutboxTransport_OutsideDevelopment_StopsTheApp()
    {
        var environment = Environment("ASPNETCORE_ENVIRONMENT", "Production");

        var (exit, output) = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, [], environment, Timeout);

        Assert.Equal(2, exit);
        Assert.Contains("Email:Transport is 'Outbox'", output);
    }

    [Fact]
    public async Task Production_WithoutAPublicBaseUrl_StopsTheApp_NamingTheSetting()
    {
        var environment = Environment("ASPNETCORE_ENVIRONMENT", "Production");
        environment["Email__Transport"] = "Smtp";
        environment["Email__Smtp__Host"] = "127.0.0.1";
        environment["Delivery__Sms__Provider"] = "None";

        var (exit, output) = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, [], environment, Timeout);

        Assert.Equal(2, exit);
        Assert.Contains("Tessera:PublicBaseUrl must be set outside Development", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Production_WithoutADataProtectionCertificate_StopsTheApp_NamingTheSetting()
    {
        var environment = Environment("ASPNETCORE_ENVIRONMENT", "Production");
        environment["Tessera__PublicBaseUrl"] = "https://id.example.com";
        environment["Email__Transport"] = "Smtp";
        environment["Email__Smtp__Host"] = "127.0.0.1";
        environment["Delivery__Sms__Provider"] = "None";

        var (exit, output) = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, [], environment, Timeout);

        Assert.Equal(2, exit);
        Assert.Contains("DataProtection:CertificatePath must be set outside Development", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task CreateAdmin_FromTheCommandLine_ReadsThePasswordVariable_AndIsSafeToRerun()
    {
        var environment = Environment("TESSERA_ADMIN_PASSWORD", "an operator amber lantern");
        string[] args = ["create-admin", "--email", "ops@example.com"];

        var first = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, args, environment, Timeout);
        var second = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, args, environment, Timeout);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("ops@example.com is now an admin", first.Output);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already an admin", second.Output);
        Assert.True(File.Exists(Path.Combine(dataDirectory, "tessera.db")));
    }

    [Fact]
    public async Task KeysRotate_ThenKeysStatus_FromTheCommandLine_ShowTheNewKeyActiveAndTheOldOneRetired()
    {
        var environment = Environment("Jobs__RunServer", "false");

        var rotate = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["keys", "rotate"], environment, Timeout);
        var status = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["keys", "status"], environment, Timeout);
        var wrong = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["keys", "spin"], environment, Timeout);

        Assert.True(rotate.ExitCode == 0, rotate.Output);
        Assert.Contains("Key 2 is active", rotate.Output);
        Assert.Contains("retired: 1", rotate.Output);
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"\n\s+1\s+retired\s", status.Output);
        Assert.Matches(@"\n\s+2\s+active\s", status.Output);
        Assert.Contains("still to move under the active key", status.Output);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("Usage:", wrong.Output);
    }

    [Fact]
    public async Task ABusyPort_StopsTheApp_WithOneLineNamingTheAddress_AndExitCode2()
    {
        using var occupier = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupier.Start();
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)occupier.LocalEndpoint).Port}";

        var (exit, output) = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["--urls", address], Environment("Jobs__RunServer", "false"), Timeout);

        Assert.True(exit == 2, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("Tessera cannot start", StringComparison.Ordinal));
        Assert.Contains(address, line);
        Assert.Contains("already in use", line);
        Assert.DoesNotContain("   at ", output);
    }

    private Dictionary<string, string?> Environment(string variable, string value) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Tessera__DataDirectory"] = dataDirectory,
        ["Jobs__RunServer"] = "false",
        [variable] = value,
    };

    public void Dispose()
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
