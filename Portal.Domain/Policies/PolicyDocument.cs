using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Policies;

/// <summary>The admin's edits of the policies: one row per install, the whole set as a JSON document.</summary>
public sealed class PolicyDocument
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;

    /// <summary>The stored <see cref="PolicySet"/>; null after "Reset to defaults" (configuration applies).</summary>
    public string? Json { get; set; }

    /// <summary>Raised by every save: nodes compare it to decide whether their cached snapshot is stale.</summary>
    public long Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedById { get; set; }

    public string? UpdatedByName { get; set; }
}

internal sealed class PolicyDocumentConfiguration : IEntityTypeConfiguration<PolicyDocument>
{
    public void Configure(EntityTypeBuilder<PolicyDocument> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.UpdatedById).HasMaxLength(450);
        builder.Property(d => d.UpdatedByName).HasMaxLength(256);
    }
}
