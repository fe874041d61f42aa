using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;
using Tessera.Domain.Policies;
using Tessera.Domain.Risk;

namespace Tessera.Portal.Cli;

/// <summary>
/// <c>risk-eval --input FILE.csv --output SCORES.csv</c>: replays sign-in attempts in the layout of Wiefling et al.'s
/// RBA data set through the real risk score and the default risk policy, writes each row's score and decision, and
/// prints how well the score separates the account takeovers. Offline: it reads no database.
/// </summary>
internal static class RiskEvalCommand
{
    public const string Name = "risk-eval";

    private const string Usage = $"Usage: dotnet run --project Portal -- {Name} --input FILE.csv --output SCORES.csv";

    private const long ProgressEvery = 1_000_000;

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (!FileArguments.TryParse(args, ["--input", "--output"], out var files, out var problem))
        {
            await error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }
        var (input, scores) = (files["--input"], files["--output"]);
        if (!File.Exists(input))
        {
            await error.WriteLineAsync($"{Name}: the input file '{input}' does not exist.");
            return 2;
        }
        if (string.Equals(Path.GetFullPath(input), Path.GetFullPath(scores), StringComparison.Ordinal))
        {
            await error.WriteLineAsync($"{Name}: --output would overwrite the input file.");
            return 2;
        }
        if (Path.GetDirectoryName(Path.GetFullPath(scores)) is { } folder && !Directory.Exists(folder))
        {
            await error.WriteLineAsync($"{Name}: the folder of the output file, '{folder}', does not exist.");
            return 2;
        }
        var options = services.GetRequiredService<IConfiguration>().GetSection(RiskOptions.Section).Get<RiskOptions>() ?? new RiskOptions();
        var invalid = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), invalid, validateAllProperties: true))
        {
            await error.WriteLineAsync($"{Name}: {string.Join(" ", invalid.Select(v => v.ErrorMessage))}");
            return 2;
        }

        // The app's locator when the risk module registers one, else the databases named by Risk:GeoIp (or none).
        var registered = services.GetService<IGeoLocator>();
        using var own = registered is null
            ? new MaxMindGeoLocator(Options.Create(options), services.GetRequiredService<ILogger<MaxMindGeoLocator>>())
            : null;
        var geo = registered ?? own!;
        var replay = new RiskReplay(new RiskModel(), new RiskPolicy(), options, geo, RiskPseudonyms.WithRandomKey());
        var summary = new ReplaySummary();
        var read = new RbaReadReport();
        try
        {
            using var reader = new StreamReader(input);
            using var writer = new StreamWriter(scores);
            writer.WriteLine("index,score,decision");
            foreach (var login in RbaCsv.InTimeOrder(RbaCsv.Read(reader, read)))
            {
                var replayed = replay.Next(login);
                summary.Add(replayed);
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{login.Index},{(replayed.Score.Value == 0 ? 0 : replayed.Score.Value):0.000},{Decision(replayed.Decision)}"));
                if (summary.Rows % ProgressEvery == 0)
                {
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{summary.Rows:#,0} rows…"));
                }
            }
        }
        catch (RbaFormatException e)
        {
            await error.WriteLineAsync($"{Name}: {input} is not in the RBA data set's layout: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"{Name}: {e.Message}");
            return 2;
        }

        await WriteSummaryAsync(output, summary, read, scores);
        return 0;
    }

    private static async Task WriteSummaryAsync(TextWriter output, ReplaySummary summary, RbaReadReport read, string scores)
    {
        var c = CultureInfo.InvariantCulture;
        var roc = summary.Roc;
        await output.WriteLineAsync(string.Create(c, $"Rows:              {summary.Rows:#,0}"));
        await output.WriteLineAsync(string.Create(c, $"Users:             {summary.Users:#,0}"));
        await output.WriteLineAsync(string.Create(c, $"Account takeovers: {summary.AccountTakeovers:#,0}"));
        await output.WriteLineAsync(string.Create(c, $"No baseline:       {summary.WithoutBaseline:#,0} rows (fewer than {RiskScore.MinimumHistory} earlier sign-ins of their user)"));
        await output.WriteLineAsync(string.Create(c, $"ROC AUC:           {Figure(roc.Auc, "0.0000")} (score against Is Account Takeover)"));
        await output.WriteLineAsync(string.Create(c, $"TPR at 1% FPR:     {Figure(roc.TprAtFpr(0.01), "0.0000")}"));
        await output.WriteLineAsync(string.Create(c,
            $"Decisions:         allow {summary.DecisionsOf(RiskDecision.Allow):#,0}, step-up {summary.DecisionsOf(RiskDecision.StepUp):#,0}, deny {summary.DecisionsOf(RiskDecision.Deny):#,0} (default policy, no second factor)"));
        if (read.Skipped > 0)
        {
            await output.WriteLineAsync(string.Create(c, $"Skipped:           {read.Skipped:#,0} malformed rows, e.g. {string.Join("; ", read.Examples)}"));
        }
        await output.WriteLineAsync($"Scores written to {scores}");
    }

    private static string Figure(double value, string format) =>
        double.IsNaN(value) ? "n/a (needs both takeovers and other rows)" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Decision(RiskDecision decision) => decision switch
    {
        RiskDecision.Deny => "deny",
        RiskDecision.StepUp => "step-up",
        _ => "allow",
    };
}
