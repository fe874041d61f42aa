using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Integration;

/// <summary>A model change without a migration fails here, once per provider.</summary>
public sealed class MigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.PostgreSql, "Host=127.0.0.1;Database=model_check")]
    public void Model_HasNoChangesThatNoMigrationCovers(DatabaseProvider provider, string connectionString)
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(provider, connectionString).Options, DesignTimeFieldEncryptor.Instance);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model has changes that no {provider} migration covers: add one with `dotnet ef migrations add <Name> --project Migrations/{provider} --output-dir Schema`.");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.PostgreSql, "Host=127.0.0.1;Database=model_check")]
    public void EachProvider_HasItsOwnMigrations(DatabaseProvider provider, string connectionString)
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(provider, connectionString).Options, DesignTimeFieldEncryptor.Instance);

        Assert.NotEmpty(db.Database.GetMigrations());
    }
}
