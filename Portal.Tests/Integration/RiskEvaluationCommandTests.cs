using System.Globalization;
using System.Text.RegularExpressions;
using Tessera.Portal.Cli;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed partial class RiskEvaluationCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tessera-risk-eval-").FullName;

    // The command reads no database: configuration and logging are all it takes from the app.
    private readonly ServiceProvider services = new ServiceCollection()
        .AddLogging()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
        .BuildServiceProvider();

    [Fact]
    public async Task RiskEval_OnASampleInThePublicLayout_SeparatesTheTakeovers()
    {
        var input = Path.Combine(folder, "sample.csv");
        var rows = RbaSample.Logins();
        RbaSample.Write(input, rows);
        var scores = Path.Combine(folder, "scores.csv");
        var output = new StringWriter();

        var exit = await RiskEvalCommand.RunAsync(services, ["risk-eval", "--input", input, "--output", scores], output, new StringWriter());

        Assert.Equal(0, exit);
        var auc = double.Parse(AucLine().Match(output.ToString()).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(auc > 0.85, output.ToString());
        Assert.Contains($"Account takeovers: {rows.Count(r => r.AccountTakeover)}", output.ToString());
        Assert.Contains("Users:             30", output.ToString());
        var lines = await File.ReadAllLinesAsync(scores);
        Assert.Equal("index,score,decision", lines[0]);
        Assert.Equal(rows.Count, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\d+,-?\d+\.\d{3},(allow|step-up|deny)$", l));
        var takeovers = rows.Where(r => r.AccountTakeover).Select(r => r.Index.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        Assert.All(lines.Skip(1).Where(l => takeovers.Contains(l.Split(',')[0])), l => Assert.DoesNotMatch("allow$", l));
    }

    [Fact]
    public async Task RiskEval_TheFixture_WritesRowsInTimeOrderAndCountsRowsWithoutBaseline()
    {
        var scores = Path.Combine(folder, "fixture-scores.csv");
        var output = new StringWriter();

        var exit = await RiskEvalCommand.RunAsync(services,
            ["risk-eval", "--input", Path.Combine(AppContext.BaseDirectory, "Support", "Risk", "rba-sample.csv"), "--output", scores], output, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Equal(["0", "1", "2", "3", "4"], (await File.ReadAllLinesAsync(scores)).Skip(1).Select(l => l.Split(',')[0]));
        // No user of the fixture has two earlier successful sign-ins.
        Assert.Contains("No baseline:       5 rows", output.ToString());
        Assert.Contains("Users:             3", output.ToString());
    }

    [Theory]
    [InlineData("--input", "x.csv")]
    [InlineData("--output", "y.csv")]
    [InlineData("--input", "x.csv", "--output")]
    [InlineData("--input", "x.csv", "--output", "y.csv", "--fast")]
    public async Task RiskEval_WithoutItsArguments_IsAUsageError(params string[] args)
    {
        var error = new StringWriter();

        var exit = await RiskEvalCommand.RunAsync(services, ["risk-eval", .. args], new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Contains("Usage: dotnet run --project Portal -- risk-eval --input FILE.csv --output SCORES.csv", error.ToString());
    }

    [Fact]
    public async Task RiskEval_MissingInputFile_SaysSo()
    {
        var error = new StringWriter();
        var missing = Path.Combine(folder, "nowhere.csv");

        var exit = await RiskEvalCommand.RunAsync(services, ["risk-eval", "--input", missing, "--output", Path.Combine(folder, "o.csv")], new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Equal($"risk-eval: the input file '{missing}' does not exist.", error.ToString().Trim());
    }

    [Fact]
    public async Task RiskEval_FileInAnotherLayout_ExplainsWithoutAStackTrace()
    {
        var input = Path.Combine(folder, "other.csv");
        await File.WriteAllTextAsync(input, "id,when,who\n1,2020-01-01,alice\n");
        var error = new StringWriter();

        var exit = await RiskEvalCommand.RunAsync(services, ["risk-eval", "--input", input, "--output", Path.Combine(folder, "o.csv")], new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Contains("lacks the column(s) 'index', 'Login Timestamp'", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }

    public void Dispose()
    {
        services.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [GeneratedRegex(@"ROC AUC:\s+([\d.]+)")]
    private static partial Regex AucLine();
}
