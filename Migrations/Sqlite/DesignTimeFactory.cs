using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the model for this provider without starting the web host.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(DatabaseProvider.Sqlite, "Data Source=design-time.db")
            .Options,
            // Migrations only build the model; they never read or write an encrypted column.
            DesignTimeFieldEncryptor.Instance);
}
