using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Accounts;

/// <summary>
/// The failed attempts at one account from one network (IPv4 /24, IPv6 /48), or from "*" for the steps that come after
/// the password (codes, step-up): a lockout here locks the account for that network only, so a stranger elsewhere
/// cannot lock the owner out of their usual network.
/// </summary>
public sealed class FailureBudget
{
    public required string UserId { get; init; }

    public required string Network { get; init; }

    public int Failures { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>When the last failure was counted; null in rows from before it was kept. Retention ages rows by it.</summary>
    public DateTimeOffset? LastFailureAt { get; set; }
}

internal sealed class FailureBudgetConfiguration : IEntityTypeConfiguration<FailureBudget>
{
    public void Configure(EntityTypeBuilder<FailureBudget> builder)
    {
        // The conflict target of the reservation's upsert.
        builder.HasKey(b => new { b.UserId, b.Network });
        builder.Property(b => b.UserId).HasMaxLength(450);
        builder.Property(b => b.Network).HasMaxLength(64);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The lockout rules of <see cref="FailedAttempts"/>.</summary>
/// <param name="PerNetwork">Failures before the account locks for one network (Accounts:MaxFailedAccessAttempts).</param>
/// <param name="NetworkLockout">How long that lockout lasts (Accounts:LockoutMinutes).</param>
/// <param name="PerDay">Consecutive failures from all networks before the account locks everywhere for a day (Accounts:MaxFailedAttemptsPerDay).</param>
/// <param name="PerNetworkPerHour">Failures from one network, at any accounts, before its sign-in pages answer 429 (Accounts:MaxFailuresPerNetworkPerHour).</param>
public sealed record FailureLimits(int PerNetwork = 5, TimeSpan? NetworkLockout = null, int PerDay = 100, int PerNetworkPerHour = 50)
{
    public TimeSpan Lockout => NetworkLockout ?? TimeSpan.FromMinutes(15);

    public static readonly TimeSpan DayLockout = TimeSpan.FromDays(1);
}
