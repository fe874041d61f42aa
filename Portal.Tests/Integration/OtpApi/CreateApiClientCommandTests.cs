using Microsoft.EntityFrameworkCore;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Cli;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.OtpApi;

public sealed class CreateApiClientCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TesseraFactory factory = new();
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "tessera-cli", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task CreateApiClient_PrintsAKeyThatAuthenticates_AndStoresOnlyItsHash()
    {
        var output = new StringWriter();

        var exit = await CreateApiClientCommand.RunAsync(factory.Services, ["create-api-client", "--name", "Shop checkout"], output, TextWriter.Null);

        Assert.Equal(0, exit);
        var key = output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal) && !l.Contains(' '));
        var client = await factory.Services.GetRequiredService<ApiClients>().AuthenticateAsync(key);
        Assert.Equal("Shop checkout", client?.Name);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.ApiClients.SingleAsync();
        Assert.NotEqual(key, row.KeyPrefix);
        Assert.Equal(ApiKeys.Hash(key), row.KeyHash);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.ApiClientCreated && e.SubjectId == row.Id));
    }

    [Theory]
    [InlineData("create-api-client")]
    [InlineData("create-api-client --name")]
    [InlineData("create-api-client --name   ")]
    public async Task CreateApiClient_WithoutAName_FailsWithUsage(string commandLine)
    {
        var error = new StringWriter();

        var exit = await CreateApiClientCommand.RunAsync(factory.Services, commandLine.Split(' '), TextWriter.Null, error);

        Assert.NotEqual(0, exit);
        Assert.Contains("name is required", error.ToString());
    }

    [Fact]
    public async Task CreateApiClient_AsAProcess_PrintsTheKeyOnce_AndAnEmptyNameExitsNonZero()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Tessera__DataDirectory"] = dataDirectory,
            ["Jobs__RunServer"] = "false",
        };

        var created = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["create-api-client", "--name", "Billing"], environment, Timeout);
        var empty = await PortalProcess.RunAsync(PortalProcess.BuiltAssembly, ["create-api-client", "--name", ""], environment, Timeout);

        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Single(created.Output.Split('\n'), l => l.Trim().StartsWith(ApiKeys.Prefix, StringComparison.Ordinal) && l.Trim().Length > 50);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("name is required", empty.Output);
    }

    public void Dispose()
    {
        factory.Dispose();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
