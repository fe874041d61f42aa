using Tessera.Domain.ApiClients;

namespace Tessera.Portal.Cli;

/// <summary>
/// <c>create-api-client --name "Shop checkout"</c>: creates an API client and prints its key, once. The key is not
/// stored (only its hash), so this output is the only place it ever appears.
/// </summary>
internal static class CreateApiClientCommand
{
    public const string Name = "create-api-client";

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var name = NameArgument(args);
        if (string.IsNullOrWhiteSpace(name))
        {
            await error.WriteLineAsync($"A name is required. Usage: dotnet run --project Portal -- {Name} --name \"<application name>\"");
            return 2;
        }

        ApiClientCreated created;
        try
        {
            created = await services.GetRequiredService<ApiClients>().CreateAsync(name, createdBy: null);
        }
        catch (ArgumentException invalid)
        {
            await error.WriteLineAsync($"Cannot create the API client: {invalid.Message.Split(" (Parameter")[0]}");
            return 2;
        }
        await output.WriteLineAsync($"Created API client '{created.Name}' ({created.KeyPrefix}).");
        await output.WriteLineAsync("Its key is shown only now; store it in the calling application's secrets:");
        await output.WriteLineAsync();
        await output.WriteLineAsync(created.Key);
        await output.WriteLineAsync();
        await output.WriteLineAsync("Use it as 'Authorization: Bearer <key>'. Revoke it in the admin console under API clients.");
        return 0;
    }

    private static string? NameArgument(string[] args)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--name")
            {
                return i + 1 < args.Length ? args[i + 1] : null;
            }
            if (args[i].StartsWith("--name=", StringComparison.Ordinal))
            {
                return args[i]["--name=".Length..];
            }
        }
        return null;
    }
}
