using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Keys;

/// <summary>
/// One field-encryption key: 32 random bytes, wrapped with Data Protection (whose keys live in the same database),
/// so a copy of the database alone does not reveal them. Its id is stored beside every ciphertext it made.
/// </summary>
public sealed class FieldKey
{
    public int Id { get; init; }

    public required string ProtectedMaterial { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RetiredAt { get; set; }

    public bool IsActive { get; set; }
}

internal sealed class FieldKeyConfiguration : IEntityTypeConfiguration<FieldKey>
{
    public void Configure(EntityTypeBuilder<FieldKey> builder)
    {
        builder.HasKey(k => k.Id);
        // Ids are chosen by the ring (1 for the first key), so two nodes creating "the first key" collide on the key.
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.ProtectedMaterial).HasMaxLength(1024);
        // At most one active key, said by the database: a bare column reads as a condition in SQLite and PostgreSQL.
        builder.HasIndex(k => k.IsActive).IsUnique().HasFilter("\"IsActive\"");
    }
}
