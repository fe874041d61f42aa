using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>The <c>Database</c> section: which provider, and where.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>Kept as text so that a typo is reported by name instead of failing inside the binder.</summary>
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>Required for PostgreSql; for Sqlite it defaults to a file in the data directory.</summary>
    public string? ConnectionString { get; set; }

    public DatabaseProvider ProviderKind => TryParse(Provider) ?? DatabaseProvider.Sqlite;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TryParse(Provider) is not { } kind)
        {
            yield return new ValidationResult(
                $"Database:Provider is '{Provider}'; it must be 'Sqlite' or 'PostgreSql'.", [nameof(Provider)]);
        }
        else if (kind == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:ConnectionString is required when Database:Provider is 'PostgreSql'.", [nameof(ConnectionString)]);
        }
    }

    // Exact names only: Enum.TryParse would also take numbers and flag lists such as "Sqlite,PostgreSql".
    private static DatabaseProvider? TryParse(string? value) =>
        Enum.GetValues<DatabaseProvider>().Cast<DatabaseProvider?>()
            .FirstOrDefault(p => string.Equals(p.ToString(), value?.Trim(), StringComparison.OrdinalIgnoreCase));
}
