using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tessera.Domain.Risk;

namespace Tessera.Benchmarks.Risk;

/// <summary>Attempts to score, each with its user's history, against a population built from 10,000 users' sign-ins.</summary>
internal sealed class ScoringSetup
{
    public const int Users = SyntheticPopulation.DefaultUsers;

    private ScoringSetup(RiskModel model, FeatureCounts population, (SignInFeatures Attempt, UserHistory History)[] probes, int signIns, int usersLoaded)
    {
        UsersLoaded = usersLoaded;
        Model = model;
        Population = population;
        Probes = probes;
        SignIns = signIns;
    }

    public RiskModel Model { get; }

    public FeatureCounts Population { get; }

    public (SignInFeatures Attempt, UserHistory History)[] Probes { get; }

    public int SignIns { get; }

    public int UsersLoaded { get; }

    /// <summary>
    /// Every legitimate sign-in of the synthetic population learned, then a few thousand rows (sign-ins and attacks) taken
    /// again as new attempts of their users, so the probes mix light and heavy histories, known and new features.
    /// </summary>
    public static ScoringSetup Build(int seed)
    {
        var rows = SyntheticPopulation.Generate(Users, seed);
        Evaluation.Replay(rows, new RiskModel.Weights(), out var replay);
        return From(rows, replay, seed);
    }

    public static ScoringSetup From(IReadOnlyList<Labelled> rows, RiskReplay replay, int seed)
    {
        var random = new Random(seed);
        var end = rows[^1].Row.At;
        var probes = Enumerable.Range(0, 4096)
            .Select(_ => rows[random.Next(rows.Count)].Row)
            .Select(r => (replay.FeaturesOf(r with { At = end.AddHours(1) }), replay.HistoryOf(r.UserId, end)))
            .ToArray();
        return new ScoringSetup(new RiskModel(), replay.Population, probes, rows.Count, replay.UsersRemembered);
    }

    /// <summary>Times single calls with the high-resolution clock: the tail a sign-in sees, not an average.</summary>
    public static void MeasureLatency(ScoringSetup setup, TextWriter output, int calls = 200_000)
    {
        var times = new double[calls];
        for (var i = 0; i < 20_000; i++)
        {
            var (a, h) = setup.Probes[i % setup.Probes.Length];
            setup.Model.Score(a, h, setup.Population);
        }
        for (var i = 0; i < calls; i++)
        {
            var (a, h) = setup.Probes[i % setup.Probes.Length];
            var start = Stopwatch.GetTimestamp();
            setup.Model.Score(a, h, setup.Population);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        double P(double q) => times[Math.Min(calls - 1, (int)(q * calls))];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RiskModel.Score, single calls ({calls:#,0}; {setup.Probes.Length:#,0} attempts cycled; {setup.UsersLoaded:#,0} users' histories and the population of {setup.SignIns:#,0} rows loaded): p50 {P(0.5):0.0} µs, p99 {P(0.99):0.0} µs, p99.9 {P(0.999):0.0} µs, max {times[^1]:0.0} µs (target p99 ≤ 1,000 µs)"));
    }
}

/// <summary>
/// BenchmarkDotNet: one <see cref="RiskModel.Score"/> call per iteration (invocation count 1), so its percentiles are
/// those of single calls. Public and unsealed because BenchmarkDotNet derives from benchmark classes.
/// </summary>
[Config(typeof(SingleCallConfig))]
public class ScoreBenchmark
{
    private ScoringSetup setup = null!;
    private int next;

    [GlobalSetup]
    public void Setup() => setup = ScoringSetup.Build(SyntheticPopulation.DefaultSeed);

    [Benchmark(Description = "RiskModel.Score, 10,000 users loaded")]
    public RiskScore Score()
    {
        var (attempt, history) = setup.Probes[next++ % setup.Probes.Length];
        return setup.Model.Score(attempt, history, setup.Population);
    }

    public static Summary Run() => BenchmarkRunner.Run<ScoreBenchmark>();

    private sealed class SingleCallConfig : ManualConfig
    {
        public SingleCallConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance) // no separate build: the default run stays short
                .WithInvocationCount(1).WithUnrollFactor(1)
                // No full collection after each iteration (BenchmarkDotNet's default): with one call per iteration and
                // the population in memory it would take the run from seconds to many minutes.
                .WithGcForce(false)
                // The slow calls are the point of a p99: none is dropped as an outlier.
                .WithOutlierMode(Perfolizer.Mathematics.OutlierDetection.OutlierMode.DontRemove)
                .WithWarmupCount(100).WithIterationCount(3000).WithLaunchCount(1));
            AddColumn(StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.P100);
            // Reports and logs go to the temporary folder, not into the work tree.
            ArtifactsPath = Path.Combine(Path.GetTempPath(), "tessera-benchmarks-risk");
        }
    }

    /// <summary>A percentile BenchmarkDotNet has no ready column for (it has P0–P100 in steps, without 99).</summary>
    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"P{percentile}";

        public string ColumnName => $"P{percentile}";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => $"{percentile}th percentile of single calls";

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style) =>
            summary[benchmarkCase]?.ResultStatistics?.Percentiles.Percentile(percentile) is { } ns
                ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1000:0.00} μs")
                : "NA";

        public bool IsDefault(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
