using System.Net;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class AdminAuditTests : IClassFixture<TesseraFactory>
{
    private const string Password = "correct horse battery";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly TesseraFactory factory;

    public AdminAuditTests(TesseraFactory factory) => this.factory = factory;

    [Theory]
    [InlineData("/admin/audit")]
    [InlineData("/admin/audit/export")]
    public async Task Anonymous_IsRedirectedToLogin(string path)
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/admin/audit")]
    [InlineData("/admin/audit/export")]
    public async Task User_GetsForbidden(string path)
    {
        using var client = await SignedInClientAsync("user@example.com");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("/admin/audit", "Audit log")]
    [InlineData("/admin/audit/export", "Sequence,OccurredAtUtc")]
    public async Task Admin_GetsTheAuditPages(string path, string expected)
    {
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Export_Filtered_ReturnsOnlyMatchingRowsAsEscapedCsv()
    {
        var audit = factory.Services.GetRequiredService<AuditLog>();
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Failure, "export-subject", "export-subject",
            Detail: "=HYPERLINK(\"http://evil\"), then\nmore"));
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, "export-subject", "export-subject",
            Detail: "not a failure"));
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Failure, "someone-else", "someone-else",
            Detail: "other subject"));
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var response = await client.GetAsync("/admin/audit/export?subject=export-subject&outcome=Failure");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        var csv = await response.Content.ReadAsStringAsync();
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil\"\"), then\nmore\",", csv);
        Assert.DoesNotContain("not a failure", csv);
        Assert.DoesNotContain("other subject", csv);
    }

    [Fact]
    public async Task Export_ByAdmin_IsItselfAudited()
    {
        var admin = await EnsureUserAsync("admin@example.com", Roles.Admin);
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var response = await client.GetAsync("/admin/audit/export?type=account.locked_out&ip=203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recent = await factory.Services.GetRequiredService<AuditLog>().RecentAsync(20, admin);
        var exported = Assert.Single(recent, e => e.Type == AuditEventTypes.AuditExported && e.Detail!.Contains("account.locked_out"));
        Assert.Equal(await factory.AuditNameAsync(admin), exported.ActorId);
        Assert.DoesNotContain("203.0.113.9", exported.Detail);
    }

    [Fact]
    public async Task VerifiableExport_WithThePublicKeyFromThePage_VerifiesOffline()
    {
        await factory.Services.GetRequiredService<AuditLog>().RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, Detail: "jsonl"));
        await factory.Services.GetRequiredService<AuditCheckpoints>().WriteAsync();
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var page = await client.GetStringAsync("/admin/audit");
        var pem = await client.GetStringAsync("/admin/audit/public-key");
        var export = await client.GetAsync("/admin/audit/export?format=jsonl");

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/jsonl", export.Content.Headers.ContentType!.MediaType);
        using var key = AuditCheckpointSignature.ImportPublicKey(pem)!;
        Assert.Contains(AuditCheckpointSignature.KeyIdOf(key), page);
        Assert.Contains("BEGIN PUBLIC KEY", page);
        var report = await AuditExportVerifier.VerifyAsync(new StringReader(await export.Content.ReadAsStringAsync()), key);
        Assert.True(report.Intact, report.Message);
        Assert.NotNull(report.LatestCheckpoint);
    }

    [Fact]
    public async Task Export_UnknownFormat_IsABadRequest()
    {
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var response = await client.GetAsync("/admin/audit/export?format=xml");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("jsonl", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Export_InvalidFilter_IsABadRequest()
    {
        using var client = await SignedInClientAsync("admin@example.com", Roles.Admin);

        var response = await client.GetAsync("/admin/audit/export?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("From", await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpClient> SignedInClientAsync(string email, params string[] roles)
    {
        await EnsureUserAsync(email, roles);
        var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, email, Password);
        return client;
    }

    private async Task<string> EnsureUserAsync(string email, params string[] roles)
    {
        await Gate.WaitAsync();
        try
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            return (await users.FindByEmailAsync(email))?.Id ?? (await factory.CreateUserAsync(email, Password, roles)).Id;
        }
        finally
        {
            Gate.Release();
        }
    }
}
