namespace Tessera.Portal.Hosting;

/// <summary>How the app stops when it cannot start: one line an operator can act on, not a stack trace.</summary>
public static class StartupErrors
{
    /// <summary>The host logs a failed start with its stack trace; <see cref="RunAsync"/> says it in one line instead.</summary>
    public static IHostApplicationBuilder AddStartupErrors(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return builder;
    }

    /// <summary>Runs until stopped; exit code 2 with one line naming the address when the port is taken.</summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // A busy port is an operator's everyday mistake. Anything else still ends with the runtime's own report.
            await Console.Error.WriteLineAsync($"Tessera cannot start: {ex.Message.Replace("Failed to bind to address ", "").TrimEnd('.')}. Stop what uses it, or choose another address with --urls.");
            return 2;
        }
    }
}
