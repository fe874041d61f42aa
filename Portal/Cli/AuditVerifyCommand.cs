using Tessera.Domain.Audit;

namespace Tessera.Portal.Cli;

/// <summary>
/// <c>audit-verify --input EXPORT.jsonl --public-key KEY.pem</c>: checks an audit export (from
/// <c>/admin/audit/export?format=jsonl</c>) offline with nothing but the public key shown on <c>/admin/audit</c>.
/// Exit 0 when the chain and every checkpoint verify, 1 naming the first bad event or checkpoint, 2 for bad arguments.
/// </summary>
internal static class AuditVerifyCommand
{
    public const string Name = "audit-verify";

    private const string Usage = $"Usage: dotnet run --project Portal -- {Name} --input EXPORT.jsonl --public-key KEY.pem";

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (!FileArguments.TryParse(args, ["--input", "--public-key"], out var files, out var problem))
        {
            await error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }
        foreach (var file in files.Values.Where(f => !File.Exists(f)))
        {
            await error.WriteLineAsync($"{Name}: the file '{file}' does not exist.");
            return 2;
        }
        using var key = AuditCheckpointSignature.ImportPublicKey(await File.ReadAllTextAsync(files["--public-key"]));
        if (key is null)
        {
            await error.WriteLineAsync($"{Name}: '{files["--public-key"]}' holds no public key (expected PEM, \"BEGIN PUBLIC KEY\").");
            return 2;
        }
        using var input = File.OpenText(files["--input"]);
        var report = await AuditExportVerifier.VerifyAsync(input, key);
        if (report.Intact)
        {
            await output.WriteLineAsync($"OK: {report.Message}");
            return 0;
        }
        await output.WriteLineAsync($"FAILED ({report.Problem}): {report.Message}");
        return 1;
    }
}
