using Microsoft.Extensions.Options;
using Tessera.Portal.Cli;
using Tessera.Portal.Hosting;

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        // appsettings.json and wwwroot/ live at the repository root and are linked into the output (see Portal.csproj).
        ContentRootPath = AppContext.BaseDirectory,
    });
    builder.AddStartupErrors();
    builder.AddListenAddresses();
    builder.AddNetwork();
    builder.AddPersistence();
    builder.AddAccounts();
    builder.AddSignIn();
    builder.AddRisk();
    builder.AddFactors();
    builder.AddPasskeys();
    builder.AddAudit();
    builder.AddDelivery();
    builder.AddChallenges();
    builder.AddCrossDevice();
    builder.AddPush();
    builder.AddPrivacy();
    builder.AddKeys();
    builder.AddOtpApi();
    builder.AddJobs();
    builder.AddHealth();
    builder.AddUi();
    builder.AddSecurityHeaders();

    app = builder.Build();
    // Offline commands read one file and write another: they need neither the database nor the server's settings.
    if (Commands.Offline(app.Services, args) is { } offline)
    {
        return await offline;
    }
    app.Services.GetService<IStartupValidator>()?.Validate();
    await app.PrepareDatabaseAsync();
    await app.Services.EnsureRolesAsync();
    if (Commands.OnDatabase(app.Services, args) is { } command)
    {
        return await command;
    }
    app.Services.RegisterRecurringJobs();
}
catch (Exception ex) when (ConfigurationErrors.From(ex) is { Count: > 0 } failures)
{
    // A bad setting stops the app with the setting's name, not a stack trace.
    await Console.Error.WriteLineAsync($"Tessera cannot start, the configuration is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}");
    return 2;
}

app.UseTesseraPipeline();
app.MapTessera();
return await StartupErrors.RunAsync(app);

/// <summary>The entry point, named for WebApplicationFactory&lt;Program&gt; in the tests.</summary>
public partial class Program;
