using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.ApiClients;

/// <summary>
/// Another application allowed to call the /api/v1 OTP message API. Only a hash of its key is stored: the key is shown
/// once, when the client is created, and a copy of the database does not let anyone call the API.
/// </summary>
public sealed class ApiClient
{
    /// <summary>Short random id, also embedded in the key so authentication finds the row without scanning.</summary>
    public required string Id { get; init; }

    public required string Name { get; set; }

    /// <summary>The start of the key (<c>tsk_&lt;id&gt;</c>), enough for an admin to recognise which key is in use.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary>SHA-256 of the whole key. The key has 256 random bits, so an unkeyed hash cannot be brute-forced.</summary>
    public required byte[] KeyHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The admin who created it; null when created from the command line on the server.</summary>
    public string? CreatedBy { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ApiClientConfiguration : IEntityTypeConfiguration<ApiClient>
{
    public void Configure(EntityTypeBuilder<ApiClient> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(32);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.KeyPrefix).HasMaxLength(40);
        builder.Property(c => c.KeyHash).HasMaxLength(32);
        builder.Property(c => c.CreatedBy).HasMaxLength(450);
    }
}
