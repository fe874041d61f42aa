namespace Tessera.Portal.Cli;

/// <summary>
/// The <c>--name FILE</c> arguments of an offline command, every one required. Configuration overrides
/// (<c>--Section:Key=value</c>) pass through to the host's configuration; anything else is refused by name.
/// </summary>
internal static class FileArguments
{
    public static bool TryParse(string[] args, IReadOnlyList<string> names, out Dictionary<string, string> files, out string problem)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        files = found;
        problem = "";
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null;
            var arg = args[i];
            if (names.Contains(arg))
            {
                if (value is null)
                {
                    problem = $"{arg} needs a file name.";
                    return false;
                }
                found[arg] = value;
                i++;
            }
            else if (arg.Contains(':', StringComparison.Ordinal) || arg.Contains('=', StringComparison.Ordinal))
            {
                // A configuration override (--Risk:GeoIp:CityDatabase=…), read by the host's configuration.
                if (value is not null && !arg.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }
            }
            else
            {
                problem = $"Unknown argument '{arg}'.";
                return false;
            }
        }
        var missing = names.FirstOrDefault(n => !found.ContainsKey(n));
        problem = missing is null ? "" : $"{missing} is required.";
        return missing is null;
    }
}
