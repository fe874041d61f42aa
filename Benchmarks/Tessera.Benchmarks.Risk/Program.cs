// Risk score evaluation on a synthetic population in the RBA data set's layout (Wiefling et al. 2022), through the same
// replay as `risk-eval`, and the cost of one score. See docs/risk-evaluation.md.
//
//   dotnet run -c Release --project Benchmarks/Tessera.Benchmarks.Risk -- [--users 10000] [--seed 20200203]
//       [--write-csv FILE] [--weights place=1,agent=1,time=0.3,device=1] [--explain] [--sweep] [--bdn]
using System.Diagnostics;
using System.Globalization;
using Tessera.Benchmarks.Risk;
using Tessera.Domain.Risk;

var c = CultureInfo.InvariantCulture;
var users = int.Parse(Option("--users") ?? SyntheticPopulation.DefaultUsers.ToString(c), c);
var seed = int.Parse(Option("--seed") ?? SyntheticPopulation.DefaultSeed.ToString(c), c);
var weights = Weights(Option("--weights"));

var clock = Stopwatch.StartNew();
var rows = SyntheticPopulation.Generate(users, seed);
Console.WriteLine(string.Create(c, $"Synthetic population: {users:#,0} users, seed {seed}, {rows.Count:#,0} rows ({rows.Count(r => r.Attack is not null):#,0} attacks) in {clock.Elapsed.TotalSeconds:0.0} s"));
if (Option("--write-csv") is { } csv)
{
    SyntheticPopulation.WriteCsv(csv, rows);
    Console.WriteLine($"Written to {csv}; score it with: dotnet run --project Portal -- risk-eval --input {csv} --output scores.csv");
}

clock.Restart();
var scored = Evaluation.Replay(rows, weights, out var replay);
Console.WriteLine(string.Create(c, $"Replayed in {clock.Elapsed.TotalSeconds:0.0} s ({rows.Count / clock.Elapsed.TotalSeconds:#,0} rows/s), weights {weights}"));
Console.WriteLine();
var report = Evaluation.Measure(scored);
Evaluation.Print(report, Console.Out);
Console.WriteLine();
Evaluation.Thresholds(scored, Console.Out, -1.0, -0.5, 0, 0.5, 1.0, 2.0);
if (args.Contains("--explain"))
{
    Console.WriteLine();
    Evaluation.Explain(scored, report, Console.Out);
}

if (args.Contains("--sweep"))
{
    Console.WriteLine();
    Sweep.Run(rows, Console.Out);
}

Console.WriteLine();
ScoringSetup.MeasureLatency(ScoringSetup.From(rows, replay, seed), Console.Out);

if (args.Contains("--bdn"))
{
    ScoreBenchmark.Run();
}
return 0;

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static RiskModel.Weights Weights(string? text)
{
    var w = new RiskModel.Weights();
    foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
    {
        var (name, value) = (part.Split('=')[0].Trim().ToLowerInvariant(), double.Parse(part.Split('=')[1], CultureInfo.InvariantCulture));
        w = name switch
        {
            "place" => w with { Place = value },
            "agent" => w with { Agent = value },
            "time" => w with { Time = value },
            "device" => w with { Device = value },
            "travel" => w with { ImpossibleTravel = value },
            _ => throw new ArgumentException($"Unknown weight '{name}': place, agent, time, device or travel."),
        };
    }
    return w;
}
