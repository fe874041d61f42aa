using System.Text.RegularExpressions;

namespace Tessera.Portal.Tests;

/// <summary>
/// Keeps the modules in their rooms (CONVENTIONS 15) by reading the sources: pages and endpoints never touch the
/// DbContext, Components and Endpoints never reference each other, and the domain modules form no cycle.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    /// <summary>The database model's home, which every module's entities register with; not a module of its own.</summary>
    private const string SharedKernel = "Persistence";

    [Fact]
    public void NoComponentOrEndpoint_UsesThePortalDbContext()
    {
        var offenders = Sources("Portal/Components", "Portal/Endpoints", "Portal/Http")
            .Where(f => Code(f).Contains("PortalDbContext", StringComparison.Ordinal))
            .ToList();

        Assert.True(offenders.Count == 0, "These reach past the modules' services into the database: " + string.Join(", ", offenders));
    }

    [Fact]
    public void ComponentsAndEndpoints_DoNotReferenceEachOther()
    {
        var componentsToEndpoints = Sources("Portal/Components").Where(f => Code(f).Contains("Tessera.Portal.Endpoints", StringComparison.Ordinal));
        var endpointsToComponents = Sources("Portal/Endpoints", "Portal/Http").Where(f => Code(f).Contains("Tessera.Portal.Components", StringComparison.Ordinal));

        var offenders = componentsToEndpoints.Concat(endpointsToComponents).ToList();

        Assert.True(offenders.Count == 0, "Shared request helpers belong in Portal/Http: " + string.Join(", ", offenders));
    }

    [Fact]
    public void DomainModules_FormNoCycle()
    {
        var graph = ModuleGraph();

        var cycle = FindCycle(graph);

        Assert.True(cycle is null, "Domain modules depend on each other in a cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void EveryDomainModule_HasAReadme()
    {
        var missing = ModuleGraph().Keys.Where(m => !File.Exists(Path.Combine(Root, "Portal.Domain", m, "readme.md"))).ToList();

        Assert.True(missing.Count == 0, "Modules without a readme.md (what it owns, its flow, its invariants): " + string.Join(", ", missing));
    }

    [Fact]
    public void TheCycleFinder_FindsACycle_AndPassesAnAcyclicGraph()
    {
        var cyclic = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"] };
        var acyclic = new Dictionary<string, HashSet<string>> { ["A"] = ["B", "C"], ["B"] = ["C"], ["C"] = [] };

        Assert.Equal(["A", "B", "C", "A"], FindCycle(cyclic));
        Assert.Null(FindCycle(acyclic));
    }

    [Fact]
    public void TheSourceScan_SeesFullAndRelativeModuleNames_ButNotCommentsOrMembers()
    {
        var modules = new HashSet<string> { "Challenges", "Policies", "Keys" };
        const string code = """
            using Tessera.Domain.Policies;
            public sealed class X(Challenges.Challenges challenges)
            {
                private int n = db.Keys.Count;
            }
            """;

        Assert.Equal(["Challenges", "Policies"], ReferencedModules(code, modules).Order());
    }

    [Fact]
    public void TheCompiledDomain_NamesTheModulesItsMembersUse()
    {
        var graph = CompiledModuleGraph();

        // SignInService takes FailedAttempts (Accounts) and Passkeys (Factors) in its constructor.
        Assert.Contains("Accounts", graph["SignIn"]);
        Assert.Contains("Factors", graph["SignIn"]);
    }

    /// <summary>
    /// Each Portal.Domain folder (sub-folders belong to their module) and the modules it uses: what its sources name
    /// (a using, a full name, or a module-relative one such as <c>Challenges.Challenges</c>) and what its compiled types'
    /// members, base types and generic arguments are (so a dependency spelled any other way is seen too).
    /// </summary>
    private static Dictionary<string, HashSet<string>> ModuleGraph()
    {
        var domain = Path.Combine(Root, "Portal.Domain");
        var modules = Directory.GetDirectories(domain).Select(Path.GetFileName).OfType<string>()
            .Where(m => m is not ("bin" or "obj" or SharedKernel)).ToHashSet();
        var compiled = CompiledModuleGraph();
        return modules.ToDictionary(m => m, m => Directory.EnumerateFiles(Path.Combine(domain, m), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => ReferencedModules(Code(f), modules))
            .Concat(compiled.GetValueOrDefault(m, []))
            .Where(r => r != m && modules.Contains(r))
            .ToHashSet());
    }

    private static IEnumerable<string> ReferencedModules(string code, IReadOnlySet<string> modules) =>
        ModuleReference().Matches(code).Select(r => r.Groups[1].Value)
            .Concat(RelativeReference().Matches(code).Select(r => r.Groups[1].Value).Where(modules.Contains))
            .Where(modules.Contains)
            .Distinct();

    /// <summary>The module graph of the built Tessera.Domain assembly, by reflection over every type's signatures.</summary>
    private static Dictionary<string, HashSet<string>> CompiledModuleGraph()
    {
        const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic
            | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;
        var assembly = typeof(Tessera.Domain.SignIn.SignInService).Assembly;
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            if (ModuleOf(type) is not { } module)
            {
                continue;
            }
            var used = new List<Type?> { type.BaseType };
            used.AddRange(type.GetInterfaces());
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<System.Reflection.MethodBase>().Concat(type.GetConstructors(all)))
            {
                used.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is System.Reflection.MethodInfo info)
                {
                    used.Add(info.ReturnType);
                }
            }
            var targets = graph.TryGetValue(module, out var known) ? known : graph[module] = [];
            foreach (var reference in used.SelectMany(Flatten))
            {
                if (reference.Assembly == assembly && ModuleOf(reference) is { } other && other != module)
                {
                    targets.Add(other);
                }
            }
        }
        return graph;

        static IEnumerable<Type> Flatten(Type? type)
        {
            if (type is null)
            {
                yield break;
            }
            var element = type.HasElementType ? type.GetElementType() : null;
            if (element is not null)
            {
                foreach (var inner in Flatten(element))
                {
                    yield return inner;
                }
                yield break;
            }
            yield return type;
            if (type.IsGenericType)
            {
                foreach (var inner in type.GetGenericArguments().SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }

        static string? ModuleOf(Type type) =>
            type.Namespace is { } ns && ns.StartsWith("Tessera.Domain.", StringComparison.Ordinal)
                ? ns["Tessera.Domain.".Length..].Split('.')[0] is var m && m != SharedKernel ? m : null
                : null;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        foreach (var start in graph.Keys.Order())
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }
        return null;

        List<string>? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
            {
                return [.. path[at..], node];
            }
            if (!done.Add(node))
            {
                return null;
            }
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }
    }

    private static IEnumerable<string> Sources(params string[] folders) => folders
        .Select(f => Path.Combine(Root, f))
        .Where(Directory.Exists)
        .SelectMany(f => Directory.EnumerateFiles(f, "*.*", SearchOption.AllDirectories))
        .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(Root, f));

    /// <summary>The file without its comments: a comment naming a type is not a dependency.</summary>
    private static string Code(string file) =>
        Comment().Replace(File.ReadAllText(Path.Combine(Root, file)), "");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Portal.sln not found above the test output.");
    }

    [GeneratedRegex(@"Tessera\.Domain\.([A-Za-z]+)")]
    private static partial Regex ModuleReference();

    /// <summary>A name qualified by a module alone (<c>Challenges.Challenges</c>), not a member access (<c>db.Keys</c>).</summary>
    [GeneratedRegex(@"(?<![\w.])([A-Z][A-Za-z]+)\.[A-Z]")]
    private static partial Regex RelativeReference();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex Comment();
}
