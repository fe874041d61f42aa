using System.Globalization;
using Tessera.Domain.Risk;

namespace Tessera.Benchmarks.Risk;

/// <summary>The evaluation under other weights than the defaults: which settings would meet the targets.</summary>
internal static class Sweep
{
    private static readonly (string Name, RiskModel.Weights Weights)[] Settings =
    [
        ("default", new RiskModel.Weights()),
        ("time 0", new RiskModel.Weights(Time: 0)),
        ("time 0.6", new RiskModel.Weights(Time: 0.6)),
        ("agent 0.5", new RiskModel.Weights(Agent: 0.5)),
        ("agent 1.5", new RiskModel.Weights(Agent: 1.5)),
        ("place 1.5", new RiskModel.Weights(Place: 1.5)),
        ("place 0.7", new RiskModel.Weights(Place: 0.7)),
        ("place 1.5, agent 0.7", new RiskModel.Weights(Place: 1.5, Agent: 0.7)),
    ];

    public static void Run(IReadOnlyList<Labelled> rows, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine("| weights | AUC | TPR@1%FPR | targeted TPR@1%FPR | RSR targeted / VPN / naive | targeted re-auth ≈40, median (mean) | ≈12, median (mean) |");
        o.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, weights) in Settings)
        {
            var r = Evaluation.Measure(Evaluation.Replay(rows, weights, out _));
            var rsr = string.Join(" / ", new[] { AttackKind.Targeted, AttackKind.Vpn, AttackKind.Naive }.Select(k => r.PerModel[k].Rsr.ToString("#,0.0", c)));
            o.WriteLine(string.Create(c,
                $"| {name} | {r.Auc:0.0000} | {r.TprAt1PercentFpr:0.0000} | {r.PerModel[AttackKind.Targeted].Tpr:0.0000} | {rsr} | {r.TargetedByHistory[40].Median:0.0%} ({r.TargetedByHistory[40].Mean:0.0%}) | {r.TargetedByHistory[12].Median:0.0%} ({r.TargetedByHistory[12].Mean:0.0%}) |"));
        }
    }
}
