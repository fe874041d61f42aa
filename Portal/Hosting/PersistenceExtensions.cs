using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
        // Group commit for the hot paths (checks, sends): one writer per node on SQLite, a transaction each on PostgreSQL.
        builder.Services.AddSingleton<WriteBatcher>();

        // Shared Data Protection keys: every node reads the same key ring from the database.
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName("Tessera")
            .PersistKeysToDbContext<PortalDbContext>();
        var certificate = builder.Configuration.GetSection(TesseraDataProtectionOptions.Section).Get<TesseraDataProtectionOptions>();
        if (!string.IsNullOrWhiteSpace(certificate?.CertificatePath))
        {
            dataProtection.ProtectKeysWithCertificate(LoadCertificate(certificate.CertificatePath, certificate.CertificatePassword));
        }
        builder.Services.AddOptions<TesseraDataProtectionOptions>().BindConfiguration(TesseraDataProtectionOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TesseraDataProtectionOptions>, CertificateRequiredOutsideDevelopment>();
        builder.Services.AddSingleton<SecretStore>();
        // One key ring per node; every context the factory creates encrypts through it.
        builder.Services.AddSingleton<FieldKeyRing>();
        builder.Services.AddSingleton<IFieldEncryptor>(services => services.GetRequiredService<FieldKeyRing>());
        return builder;
    }

    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new OptionsValidationException(TesseraDataProtectionOptions.Section, typeof(TesseraDataProtectionOptions),
                [$"DataProtection:CertificatePath '{path}' does not exist."]);
        }
        try
        {
            var loaded = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return loaded.HasPrivateKey
                ? loaded
                : throw new OptionsValidationException(TesseraDataProtectionOptions.Section, typeof(TesseraDataProtectionOptions),
                    [$"DataProtection:CertificatePath '{path}' has no private key: the key ring could not be decrypted with it."]);
        }
        catch (CryptographicException)
        {
            throw new OptionsValidationException(TesseraDataProtectionOptions.Section, typeof(TesseraDataProtectionOptions),
                [$"DataProtection:CertificatePath '{path}' could not be opened: check the file and DataProtection:CertificatePassword."]);
        }
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
        await app.Services.GetRequiredService<SecretStore>().InitializeAsync();
        // Events from before pseudonymous subjects name users by id: rewritten once, before anything is served.
        await app.Services.GetRequiredService<Tessera.Domain.Audit.AuditSubjectMigration>().RunAsync();
        // Checkpoints from before signing keys (HMAC) are signed with the ECDSA key, once, if they are authentic.
        await app.Services.GetRequiredService<Tessera.Domain.Audit.AuditCheckpoints>().ResignAsync();
    }

    /// <summary>
    /// Without a certificate the key ring sits in the database as plain XML: anyone with a copy of the database could
    /// unwrap the field keys and forge cookies. Only a developer's throwaway install may run that way.
    /// </summary>
    private sealed class CertificateRequiredOutsideDevelopment(IHostEnvironment environment) : IValidateOptions<TesseraDataProtectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, TesseraDataProtectionOptions options) =>
            string.IsNullOrWhiteSpace(options.CertificatePath) && !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail(
                    $"DataProtection:CertificatePath must be set outside Development (this is '{environment.EnvironmentName}'): a PKCS#12 (.pfx) file with a private key, which encrypts the Data Protection key ring at rest. Without it a copy of the database reveals the keys that protect cookies and encrypted columns.")
                : ValidateOptionsResult.Success;
    }
}
