using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Accounts;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Factors.Phones;

/// <summary>A phone number a user added for codes by SMS. Usable at sign-in only once verified.</summary>
public sealed class UserPhone
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserId { get; init; }

    /// <summary>The E.164 number as UTF-8, encrypted at rest by the Keys module: a copy of the database shows no numbers.</summary>
    [Encrypted]
    public required byte[] Number { get; init; }

    /// <summary>Keyed hash of the E.164 number (per-install key): finds a number without decrypting every row.</summary>
    public required string NumberHash { get; init; }

    /// <summary>"+44 •••• ••• 123": what pages, audit details and notices show.</summary>
    public required string Masked { get; init; }

    /// <summary>ISO region of the number ("GB"), for the SMS country rules.</summary>
    public required string Region { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The live "verify-phone" challenge: the page never tells the server which challenge to check.</summary>
    public Guid? VerificationChallengeId { get; set; }
}

internal sealed class UserPhoneConfiguration : IEntityTypeConfiguration<UserPhone>
{
    public void Configure(EntityTypeBuilder<UserPhone> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Number).HasMaxLength(256);
        builder.Property(p => p.NumberHash).HasMaxLength(64);
        builder.Property(p => p.Masked).HasMaxLength(32);
        builder.Property(p => p.Region).HasMaxLength(8);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        // A number once per user; the same number may belong to two people (a shared family phone).
        builder.HasIndex(p => new { p.UserId, p.NumberHash }).IsUnique();
        builder.HasIndex(p => p.NumberHash);
    }
}
