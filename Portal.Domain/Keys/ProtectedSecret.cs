using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Keys;

/// <summary>One version of a small secret the application generates for itself, stored wrapped by Data Protection.</summary>
public sealed class ProtectedSecret
{
    public required string Name { get; init; }

    /// <summary>1 for the first; the highest is the one new values are made with.</summary>
    public int Version { get; init; } = 1;

    public required string ProtectedValue { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class ProtectedSecretConfiguration : IEntityTypeConfiguration<ProtectedSecret>
{
    public void Configure(EntityTypeBuilder<ProtectedSecret> builder)
    {
        builder.HasKey(s => new { s.Name, s.Version });
        builder.Property(s => s.Name).HasMaxLength(64);
        builder.Property(s => s.ProtectedValue).HasMaxLength(1024);
    }
}
