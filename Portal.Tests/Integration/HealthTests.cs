using System.Net;
using System.Text.Json;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class HealthTests : IClassFixture<TesseraFactory>
{
    private readonly TesseraFactory factory;

    public HealthTests(TesseraFactory factory) => this.factory = factory;

    [Fact]
    public async Task Health_ReportsDatabaseAndJobs()
    {
        using var client = factory.CreateBrowserlessClient();

        var (status, json) = await Health.WaitForHealthyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        using var body = JsonDocument.Parse(json);
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("jobs").GetString());
    }

    [Fact]
    public async Task Start_CreatesSqliteFilesInTheDataDirectory_InWalMode()
    {
        using var client = factory.CreateBrowserlessClient();
        await client.GetAsync("/health");

        Assert.True(File.Exists(factory.DatabasePath));
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "hangfire.db")));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task UnknownPage_Returns404_WithAFriendlyPage()
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MangledConfirmationLink_IsAClearError_NotA500()
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/Account/ConfirmEmail?userId=nobody&code=%%%not-base64");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This confirmation link is not valid", await response.Content.ReadAsStringAsync());
    }
}
