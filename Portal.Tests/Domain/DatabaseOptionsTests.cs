using System.ComponentModel.DataAnnotations;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Domain;

public sealed class DatabaseOptionsTests
{
    [Fact]
    public void Validate_UnknownProvider_FailsNamingDatabaseProvider()
    {
        var options = new DatabaseOptions { Provider = "Oracle" };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        var result = Assert.Single(results);
        Assert.Contains("Database:Provider", result.ErrorMessage);
        Assert.Contains("Oracle", result.ErrorMessage);
    }

    [Theory]
    [InlineData("Sqlite,PostgreSql")]
    [InlineData("PostgreSql, Sqlite")]
    public void Validate_ListOfProviders_FailsNamingDatabaseProvider(string provider)
    {
        var options = new DatabaseOptions { Provider = provider, ConnectionString = "Host=db" };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Database:Provider", Assert.Single(results).ErrorMessage);
    }

    [Fact]
    public void Validate_PostgreSqlWithoutConnectionString_FailsNamingDatabaseConnectionString()
    {
        var options = new DatabaseOptions { Provider = "PostgreSql", ConnectionString = null };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        var result = Assert.Single(results);
        Assert.Contains("Database:ConnectionString", result.ErrorMessage);
    }

    [Fact]
    public void Validate_PostgreSqlWithConnectionString_Passes()
    {
        var options = new DatabaseOptions { Provider = "PostgreSql", ConnectionString = "Host=db;Database=tessera" };

        var results = Validate(options, out var valid);

        Assert.True(valid);
        Assert.Empty(results);
    }

    [Fact]
    public void Validate_SqliteWithoutConnectionString_Passes()
    {
        var options = new DatabaseOptions { Provider = "Sqlite", ConnectionString = null };

        var results = Validate(options, out var valid);

        Assert.True(valid);
        Assert.Empty(results);
    }

    [Fact]
    public void Validate_ProviderNameInOtherCase_Passes()
    {
        var options = new DatabaseOptions { Provider = "sqlite" };

        var results = Validate(options, out var valid);

        Assert.True(valid);
        Assert.Empty(results);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public void Validate_NumericProvider_FailsNamingDatabaseProvider(string provider)
    {
        var options = new DatabaseOptions { Provider = provider };

        var results = Validate(options, out var valid);

        Assert.False(valid);
        Assert.Contains("Database:Provider", Assert.Single(results).ErrorMessage);
    }

    private static List<ValidationResult> Validate(DatabaseOptions options, out bool valid)
    {
        var results = new List<ValidationResult>();
        valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
