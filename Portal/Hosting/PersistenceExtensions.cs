using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Hosting;

public static class PersistenceExtensions
{
    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TesseraOptions>().BindConfiguration(TesseraOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        // The factory serves components and singletons (audit, delivery); Identity gets a scoped context from it.
        builder.Services.AddDbContextFactory<PortalDbContext>((services, options) =>
        {
            var (provider, connectionString) = ResolveConnection(services);
            options.UseTesseraProvider(provider, connectionString);
        });

        // Shared Data Protection keys: every node reads the same key ring from the database.
        builder.Services.AddDataProtection()
            .SetApplicationName("Tessera")
            .PersistKeysToDbContext<PortalDbContext>();
        builder.Services.AddSingleton<SecretStore>();
        // One key ring per node; every context the factory creates encrypts through it.
        builder.Services.AddSingleton<FieldKeyRing>();
        builder.Services.AddSingleton<IFieldEncryptor>(services => services.GetRequiredService<FieldKeyRing>());
        return builder;
    }

    public static (DatabaseProvider Provider, string ConnectionString) ResolveConnection(IServiceProvider services)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var tessera = services.GetRequiredService<IOptions<TesseraOptions>>().Value;
        var provider = database.ProviderKind;
        var connectionString = !string.IsNullOrWhiteSpace(database.ConnectionString)
            ? database.ConnectionString
            : ProviderSetup.SqliteConnectionString(tessera.DataDirectoryFullPath);
        return (provider, connectionString);
    }

    /// <summary>Creates the data folder, brings the database schema up to date and loads the field keys before anything uses them.</summary>
    public static async Task PrepareDatabaseAsync(this IHost app)
    {
        var tessera = app.Services.GetRequiredService<IOptions<TesseraOptions>>().Value;
        Directory.CreateDirectory(tessera.DataDirectoryFullPath);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await ProviderSetup.MigrateAsync(db);
        }
        // After migrating (the FieldKeys table must exist), before anything reads an encrypted column.
        await app.Services.GetRequiredService<FieldKeyRing>().InitializeAsync();
    }
}
