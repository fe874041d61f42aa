using Microsoft.EntityFrameworkCore;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The one failure budget that passwords and second factors share.</summary>
public sealed class FailedAttemptsTests
{
    [Fact]
    public async Task Release_GivesBackOnlyThatReservation_SoAKnownPasswordDoesNotRefillTheBudget()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 5);
        var userId = await factors.AddUserAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await factors.Attempts.TryReserveAsync(userId));
        }

        var right = await factors.Attempts.ReserveAsync(userId);
        await factors.Attempts.ReleaseAsync(userId, right);

        Assert.Equal(3, await CountAsync(factors, userId));
    }

    [Fact]
    public async Task TheReservationThatLocked_LiftsItsLockoutWhenReleased()
    {
        await using var factors = await FactorsFixture.CreateAsync(maxFailedAccessAttempts: 3);
        var userId = await factors.AddUserAsync();
        await factors.Attempts.ReserveAsync(userId);
        await factors.Attempts.ReserveAsync(userId);

        var last = await factors.Attempts.ReserveAsync(userId);
        Assert.NotNull(last.SetLockoutUntil);
        Assert.False((await factors.Attempts.ReserveAsync(userId)).Granted);
        await factors.Attempts.ReleaseAsync(userId, last);

        Assert.False(await factors.Attempts.IsLockedOutAsync(userId));
        Assert.Equal(2, await CountAsync(factors, userId));
    }

    [Fact]
    public async Task Success_NeverLiftsAnAdministratorsLock()
    {
        await using var factors = await FactorsFixture.CreateAsync();
        var userId = await factors.AddUserAsync();
        await using (var db = await factors.Database.Factory.CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue));
        }

        await factors.Attempts.SucceededAsync(userId);

        Assert.True(await factors.Attempts.IsLockedOutAsync(userId));
    }

    private static async Task<int> CountAsync(FactorsFixture factors, string userId)
    {
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.AccessFailedCount).SingleAsync();
    }
}
