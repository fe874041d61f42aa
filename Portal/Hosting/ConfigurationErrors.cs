using Microsoft.Extensions.Options;

namespace Tessera.Portal.Hosting;

/// <summary>Turns options validation exceptions (one, or several gathered at start) into plain sentences.</summary>
public static class ConfigurationErrors
{
    private const string DataAnnotationsPrefix = "with the error: '";

    public static IReadOnlyList<string> From(Exception exception) => exception switch
    {
        OptionsValidationException options => options.Failures.Select(Clean).ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(From).ToList(),
        _ => [],
    };

    // "DataAnnotation validation failed for 'X' members: 'Y' with the error: 'Z'." says Z, which already names the setting.
    private static string Clean(string failure)
    {
        var at = failure.IndexOf(DataAnnotationsPrefix, StringComparison.Ordinal);
        return at < 0 ? failure : failure[(at + DataAnnotationsPrefix.Length)..].TrimEnd('.', '\'');
    }
}
