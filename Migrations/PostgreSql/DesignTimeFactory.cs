using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Migrations.PostgreSql;

/// <summary>Lets `dotnet ef` build the model for this provider without starting the web host or a server.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(DatabaseProvider.PostgreSql, "Host=localhost;Database=tessera_design")
            .Options,
            // Migrations only build the model; they never read or write an encrypted column.
            DesignTimeFieldEncryptor.Instance);
}
