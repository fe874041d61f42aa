using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The [Encrypted] converter end to end through EF Core, on a test-only model beside the real one.</summary>
public sealed class EncryptedColumnTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("JBSWY3DPEHPK3PXP-totp-secret");

    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await using var db = CreateContext();
        // Only this model's table, into the already migrated file.
        await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task SaveChanges_EncryptedProperty_StoresNoPlaintextInTheColumn()
    {
        await SaveAsync(new Vault { Id = 1, Secret = Secret });

        var raw = await ReadRawAsync("Secret", 1);

        var text = Assert.IsType<string>(raw);
        Assert.StartsWith("v1:1:", text);
        Assert.DoesNotContain(Encoding.ASCII.GetString(Secret), text);
        Assert.DoesNotContain(Convert.ToBase64String(Secret), text);
    }

    [Fact]
    public async Task Query_EncryptedProperty_ReadsBackTheOriginalBytes()
    {
        await SaveAsync(new Vault { Id = 1, Secret = Secret });

        await using var db = CreateContext();
        var vault = await db.Vaults.SingleAsync();

        Assert.Equal(Secret, vault.Secret);
        Assert.Null(vault.Backup);
    }

    [Fact]
    public async Task SaveChanges_NullEncryptedProperty_StaysNull()
    {
        await SaveAsync(new Vault { Id = 1, Secret = Secret, Backup = null });

        Assert.IsType<DBNull>(await ReadRawAsync("Backup", 1));
    }

    [Fact]
    public async Task SaveChanges_SameBytesInANewArray_IsNoChange()
    {
        await SaveAsync(new Vault { Id = 1, Secret = Secret });
        var before = await ReadRawAsync("Secret", 1);

        await using (var db = CreateContext())
        {
            var vault = await db.Vaults.SingleAsync();
            vault.Secret = Secret.ToArray();
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        Assert.Equal(before, await ReadRawAsync("Secret", 1));
    }

    [Fact]
    public void Model_EncryptedProperty_IsATextColumn()
    {
        using var db = CreateContext();

        var property = db.Model.FindEntityType(typeof(Vault))!.FindProperty(nameof(Vault.Secret))!;

        Assert.Equal("TEXT", property.GetColumnType());
    }

    private VaultContext CreateContext() =>
        new(new DbContextOptionsBuilder<VaultContext>()
            .UseTesseraProvider(DatabaseProvider.Sqlite, database.ConnectionString)
            .Options, database.KeyRing);

    private async Task SaveAsync(Vault vault)
    {
        await using var db = CreateContext();
        db.Vaults.Add(vault);
        await db.SaveChangesAsync();
    }

    // Plain ADO.NET: what is really in the file, behind EF's converters.
    private async Task<object?> ReadRawAsync(string column, int id)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"{column}\" FROM \"Vaults\" WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync();
    }

    internal sealed class Vault
    {
        public int Id { get; init; }

        [Encrypted]
        public required byte[] Secret { get; set; }

        [Encrypted]
        public byte[]? Backup { get; set; }
    }

    internal sealed class VaultContext(DbContextOptions<VaultContext> options, IFieldEncryptor encryptor)
        : DbContext(options), IFieldEncryptingContext
    {
        public DbSet<Vault> Vaults => Set<Vault>();

        IFieldEncryptor IFieldEncryptingContext.FieldEncryptor => encryptor;

        protected override void OnModelCreating(ModelBuilder builder)
        {
            builder.Entity<Vault>().Property(v => v.Id).ValueGeneratedNever();
            builder.UseFieldEncryption(encryptor);
        }
    }
}
