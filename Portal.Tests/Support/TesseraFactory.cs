using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// The real app on a real SQLite file in a fresh temporary data folder (or on PostgreSQL when given a
/// connection string), in the Development environment so mail stays in the outbox unless a test points it at SMTP.
/// </summary>
public class TesseraFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings = new();
    private readonly List<Action<IServiceCollection>> serviceOverrides = [];

    public TesseraFactory()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        settings["Tessera:DataDirectory"] = DataDirectory;
        settings["Jobs:PollInterval"] = "00:00:00.250";
        // Warnings and errors only: a failing test's output stays readable.
        settings["Logging:LogLevel:Default"] = "Warning";
        // Known, harmless warnings that every test host would print again (the SQLite table rebuilds of old migrations,
        // the unencrypted key ring of a throwaway data directory) would bury a failure under thousands of lines.
        settings["Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations"] = "Error";
        settings["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error";
    }

    public string DataDirectory { get; }

    /// <summary>The hosting environment the app runs in; Development unless a test says otherwise.</summary>
    public string EnvironmentName { get; private set; } = "Development";

    /// <summary>
    /// The app as an operator runs it: the Production environment, with the settings Production requires (a public base
    /// URL, a real mail transport pointed at a closed local port, no SMS provider, a certificate for the key ring), and
    /// the in-memory client speaking HTTPS, since Production cookies are Secure.
    /// </summary>
    public TesseraFactory InProduction(string publicBaseUrl = "https://id.tessera.test")
    {
        EnvironmentName = "Production";
        ClientOptions.BaseAddress = new Uri("https://localhost");
        return With("Tessera:PublicBaseUrl", publicBaseUrl)
            .With("DataProtection:CertificatePath", TestCertificates.WriteDataProtectionPfx(DataDirectory))
            .With("DataProtection:CertificatePassword", TestCertificates.Password)
            .With("Email:Transport", "Smtp")
            .With("Email:Smtp:Host", "127.0.0.1")
            .With("Email:Smtp:Port", "9")
            .With("Email:Smtp:Security", "None")
            .With("Delivery:Sms:Provider", "None");
    }

    public string DatabasePath => Path.Combine(DataDirectory, "tessera.db");

    /// <summary>Overrides one setting; call before the first request.</summary>
    public TesseraFactory With(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Replaces services after the app registered its own (a test double for a seam); call before the first request.</summary>
    public TesseraFactory WithServices(Action<IServiceCollection> configure)
    {
        serviceOverrides.Add(configure);
        return this;
    }

    /// <summary>Serves on a real Kestrel port (for the browser tests) instead of the in-memory test server.</summary>
    public Uri StartKestrel() => StartKestrel(0);

    /// <summary>Serves on the given Kestrel port (0: any free one), for tests whose settings must name the port before start.</summary>
    public Uri StartKestrel(int port)
    {
        UseKestrel(port);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
    }

    public HttpClient CreateBrowserlessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = ClientOptions.BaseAddress });

    public async Task<ApplicationUser> CreateUserAsync(string email, string password, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        foreach (var role in roles.Prepend(Roles.User).Distinct())
        {
            await users.AddToRoleAsync(user, role);
        }
        return user;
    }

    /// <summary>How the audit log names this user (a pseudonym, <see cref="Tessera.Domain.Audit.AuditPseudonyms"/>).</summary>
    public Task<string> AuditNameAsync(string userId) =>
        Services.GetRequiredService<Tessera.Domain.Audit.AuditPseudonyms>().ForSearchingAsync(userId);

    /// <summary>The user as stored now, read past every cache.</summary>
    public async Task<ApplicationUser> FindUserAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(userId))!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        if (EnvironmentName != "Development")
        {
            // The build output's static assets (MudBlazor's, the framework's scripts) outside Development too.
            builder.UseStaticWebAssets();
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        foreach (var configure in serviceOverrides)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a finishing background thread: the temp folder is cleaned up by the OS.
            }
        }
    }
}
