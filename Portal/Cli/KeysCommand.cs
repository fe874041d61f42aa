using System.Globalization;
using Tessera.Domain.Keys;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Cli;

/// <summary>
/// <c>keys status</c>: each field key's age, state and the values still under it. <c>keys rotate</c>: a new key now, every
/// encrypted value moved under it, unused keys retired (or, after a crash, the rotation that was under way finished).
/// </summary>
internal static class KeysCommand
{
    public const string Name = "keys";

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        switch (args.ElementAtOrDefault(1))
        {
            case "status":
                await WriteStatusAsync(services, output);
                return 0;
            case "rotate":
                var result = await services.GetRequiredService<KeyRotationJob>().RunHereAsync();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Key {result.ActiveKey} is active; {result.Reencrypted} values re-encrypted; retired: {(result.Retired.Count == 0 ? "none" : string.Join(", ", result.Retired))}. Install secrets: {result.SecretsSummary}."));
                await WriteStatusAsync(services, output);
                return 0;
            default:
                await error.WriteLineAsync($"Usage: dotnet run --project Portal -- {Name} status | {Name} rotate");
                return 2;
        }
    }

    private static async Task WriteStatusAsync(IServiceProvider services, TextWriter output)
    {
        var status = await services.GetRequiredService<KeyRotation>().StatusAsync();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await output.WriteLineAsync("Key  State    Created (UTC)      Age (days)  Values under it");
        foreach (var key in status.Keys)
        {
            var state = key.IsActive ? "active" : key.RetiredAt is null ? "old" : "retired";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{key.Id,3}  {state,-7}  {key.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm}  {(int)(now - key.CreatedAt).TotalDays,10}  {key.Rows,15}"));
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{status.Total} encrypted values; {status.Pending} still to move under the active key. Next rotation due {status.NextRotationDue.UtcDateTime:yyyy-MM-dd HH:mm} UTC."));
        await output.WriteLineAsync("Secret                    Version  Since (UTC)        Versions kept");
        foreach (var secret in await services.GetRequiredService<SecretRotation>().StatusAsync())
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{secret.Name,-24}  {"v" + secret.Current,7}  {secret.CurrentSince.UtcDateTime:yyyy-MM-dd HH:mm}  {string.Join(", ", secret.Kept.Select(v => "v" + v))}"));
        }
    }
}
