using System.Net;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class AuthorizationTests : IClassFixture<TesseraFactory>
{
    private readonly TesseraFactory factory;

    public AuthorizationTests(TesseraFactory factory) => this.factory = factory;

    [Theory]
    [InlineData("/security")]
    [InlineData("/admin")]
    [InlineData("/admin/jobs")]
    public async Task Anonymous_IsRedirectedToLogin(string path)
    {
        using var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location!.Query);
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/jobs")]
    public async Task User_GetsForbidden_OnAdminPages(string path)
    {
        await EnsureUserAsync("user@example.com");
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "user@example.com", Password);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Access denied", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/admin", "Admin console")]
    [InlineData("/admin/jobs", "Tessera jobs")]
    public async Task Admin_GetsTheAdminPages(string path, string expected)
    {
        await EnsureUserAsync("admin@example.com", Roles.Admin);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "admin@example.com", Password);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task User_GetsTheSecurityCenter()
    {
        await EnsureUserAsync("user@example.com");
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "user@example.com", Password);

        var response = await client.GetAsync("/security");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("No factors yet", await response.Content.ReadAsStringAsync());
    }

    private const string Password = "correct horse battery";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    private async Task EnsureUserAsync(string email, params string[] roles)
    {
        await Gate.WaitAsync();
        try
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
            if (await users.FindByEmailAsync(email) is null)
            {
                await factory.CreateUserAsync(email, Password, roles);
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
