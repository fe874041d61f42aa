using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// Every GET route under /admin, found from the app's own endpoint table, so a new admin page or endpoint that forgets
/// the Admin policy fails here without anyone having to list it.
/// </summary>
public sealed partial class AdminRoutesTests : IClassFixture<TesseraFactory>
{
    private const string Password = "correct horse battery";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly TesseraFactory factory;

    public AdminRoutesTests(TesseraFactory factory) => this.factory = factory;

    [Fact]
    public void AdminRoutes_IncludeTheKnownPages()
    {
        var paths = AdminPaths();

        Assert.Contains("/admin", paths);
        Assert.Contains("/admin/audit", paths);
        Assert.Contains("/admin/audit/export", paths);
        Assert.Contains("/admin/users", paths);
        Assert.Contains("/admin/api-clients", paths);
        Assert.Contains("/admin/users/sample", paths);
        Assert.Contains("/admin/jobs", paths);
        Assert.Contains("/admin/policies", paths);
        Assert.Contains("/admin/deliveries", paths);
        Assert.Contains("/admin/keys", paths);
        Assert.Contains("/admin/users/sample/export", paths);
    }

    [Fact]
    public async Task EveryAdminRoute_Anonymous_IsRedirectedToLogin()
    {
        using var client = factory.CreateBrowserlessClient();

        foreach (var path in AdminPaths())
        {
            var response = await client.GetAsync(path);

            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path}: {response.StatusCode}");
            Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task EveryAdminRoute_User_IsForbidden()
    {
        using var client = await SignedInClientAsync("routes-user@example.com");

        foreach (var path in AdminPaths())
        {
            var response = await client.GetAsync(path);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task EveryAdminRoute_Admin_IsOk()
    {
        using var client = await SignedInClientAsync("routes-admin@example.com", Roles.Admin);

        foreach (var path in AdminPaths())
        {
            var response = await client.GetAsync(path);

            // The data file of a user who does not exist is a 404 problem, not an empty file.
            var expected = path.EndsWith("/sample/export", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.OK;
            Assert.True(response.StatusCode == expected, $"{path}: {response.StatusCode}");
        }
    }

    /// <summary>GET-able route patterns starting with /admin, with sample values in place of their parameters.</summary>
    private List<string> AdminPaths()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return endpoints
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
                || methods.HttpMethods.Count == 0 || methods.HttpMethods.Contains(HttpMethods.Get))
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
            .Where(p => p.Equals("/admin", StringComparison.OrdinalIgnoreCase) || p.StartsWith("/admin/", StringComparison.OrdinalIgnoreCase))
            .Select(p => ParameterRegex().Replace(p, m => m.Value.StartsWith("{*", StringComparison.Ordinal) ? "" : SampleValue(m.Value)))
            .Select(p => p.Length > 1 ? p.TrimEnd('/') : p)
            .Append("/admin/jobs")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static string SampleValue(string parameter) =>
        parameter.Contains(":int", StringComparison.Ordinal) || parameter.Contains(":long", StringComparison.Ordinal) ? "1"
        : parameter.Contains(":guid", StringComparison.Ordinal) ? Guid.Empty.ToString()
        : "sample";

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex ParameterRegex();

    private async Task<HttpClient> SignedInClientAsync(string email, params string[] roles)
    {
        await Gate.WaitAsync();
        try
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            if (await users.FindByEmailAsync(email) is null)
            {
                await factory.CreateUserAsync(email, Password, roles);
            }
        }
        finally
        {
            Gate.Release();
        }
        var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, email, Password);
        return client;
    }
}
