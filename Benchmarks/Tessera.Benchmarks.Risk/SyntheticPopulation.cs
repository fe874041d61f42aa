using Tessera.Domain.Risk;

namespace Tessera.Benchmarks.Risk;

/// <summary>A row and, for an attack, its model and the history size it was aimed at (0: a random point).</summary>
internal sealed record Labelled(RbaLogin Row, AttackKind? Attack = null, int AimedAt = 0);

/// <summary>
/// The synthetic population in the data set's layout, in time order, indexed. Each user with more than 12 (40)
/// successful sign-ins is attacked once by each attacker model right after their 12th (40th) sign-in, and each
/// user with at least 3 at one random point as well. Attacks are labelled account takeovers, so the replay never
/// learns from them: each is scored against the victim's true history.
/// </summary>
internal static class SyntheticPopulation
{
    public const int DefaultUsers = 10_000;
    public const int DefaultSeed = 20200203;

    public static readonly int[] AimedHistories = [12, 40];

    public static List<Labelled> Generate(int users, int seed, bool attacks = true)
    {
        var rows = new List<Labelled>();
        for (var u = 0; u < users; u++)
        {
            // One generator per person: a person's rows do not depend on how many people came before.
            var random = new Random(unchecked(seed * 7919 + u));
            var person = new Person(u, random);
            var signIns = person.SignIns();
            rows.AddRange(signIns.Select(r => new Labelled(r)));
            if (!attacks)
            {
                continue;
            }
            var successes = signIns.Where(r => r.Successful).ToList();
            var points = AimedHistories.Where(h => successes.Count > h).Select(h => (History: h, Aim: h)).ToList();
            if (successes.Count >= 3)
            {
                points.Add((random.Next(2, successes.Count), 0));
            }
            foreach (var (history, aim) in points)
            {
                foreach (var kind in Enum.GetValues<AttackKind>())
                {
                    rows.Add(new Labelled(Attackers.Attack(kind, person, successes[history - 1].At, successes[history].At, random), kind, aim));
                }
            }
        }
        return [.. rows.OrderBy(r => r.Row.At).Select((r, i) => r with { Row = r.Row with { Index = i } })];
    }

    public static void WriteCsv(string path, IEnumerable<Labelled> rows)
    {
        using var writer = new StreamWriter(path);
        RbaCsv.WriteHeader(writer);
        foreach (var row in rows)
        {
            RbaCsv.Write(writer, row.Row);
        }
    }
}
