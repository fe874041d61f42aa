using Microsoft.Extensions.Options;
using Tessera.Portal.Cli;
using Tessera.Portal.Endpoints;
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
    // The host logs a failed start with its stack trace; Program below says it in one line (a busy port) or, for
    // anything else, the runtime prints the exception anyway.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    builder.AddNetwork();
    builder.AddPersistence();
    builder.AddAccounts();
    builder.AddSignIn();
    builder.AddFactors();
    builder.AddPasskeys();
    builder.AddAudit();
    builder.AddDelivery();
    builder.AddChallenges();
    builder.AddCrossDevice();
    builder.AddOtpApi();
    builder.AddJobs();
    builder.AddHealth();
    builder.AddUi();

    app = builder.Build();
    app.Services.GetService<IStartupValidator>()?.Validate();
    await app.PrepareDatabaseAsync();
    await app.Services.EnsureRolesAsync();
    if (CreateAdminCommand.IsInvoked(args))
    {
        return await CreateAdminCommand.RunAsync(app.Services, args);
    }
    if (CreateApiClientCommand.IsInvoked(args))
    {
        return await CreateApiClientCommand.RunAsync(app.Services, args);
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
app.MapUi();
app.MapJobsDashboard();
app.MapAdminAudit();
app.MapHealth();
app.MapWebAuthn();
app.MapQrSignIn();
app.MapOtpApi();
try
{
    await app.RunAsync();
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // A busy port is an operator's everyday mistake: one line that names the address, not a stack trace.
    await Console.Error.WriteLineAsync($"Tessera cannot start: {ex.Message.Replace("Failed to bind to address ", "").TrimEnd('.')}. Stop what uses it, or choose another address with --urls.");
    return 2;
}
return 0;

/// <summary>The entry point, named for WebApplicationFactory&lt;Program&gt; in the tests.</summary>
public partial class Program;
