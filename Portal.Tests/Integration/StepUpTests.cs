using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;
using Tessera.Domain.SignIn;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// The step-up runs inside a Blazor circuit, where there is no live HTTP request: it must not need one
/// (the browser test <c>RemovingAnAuthenticator_NeedsTheCurrentPassword</c> is the same check end to end).
/// </summary>
public sealed class StepUpTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new TesseraFactory().With("Accounts:MaxFailedAccessAttempts", "3");

    [Fact]
    public async Task RightPassword_ConfirmsAUserWithTwoFactors_WithoutAnHttpRequest()
    {
        var user = await CreateTwoFactorUserAsync("stepup-right@example.com");

        var confirmed = await factory.Services.GetRequiredService<StepUp>().WithPasswordAsync(user.Id, Password, StepUpPurposes.RemoveAuthenticator) is not null;

        Assert.True(confirmed);
    }

    [Fact]
    public async Task WrongPasswords_AreRefused_AndLockTheAccount()
    {
        var user = await CreateTwoFactorUserAsync("stepup-wrong@example.com");
        var stepUp = factory.Services.GetRequiredService<StepUp>();

        var attempts = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            attempts.Add(await stepUp.WithPasswordAsync(user.Id, $"wrong password {i}", StepUpPurposes.RemoveAuthenticator) is not null);
        }
        var rightAfterLockout = await stepUp.WithPasswordAsync(user.Id, Password, StepUpPurposes.RemoveAuthenticator) is not null;

        Assert.All(attempts, Assert.False);
        Assert.False(rightAfterLockout);
    }

    [Fact]
    public async Task FortyParallelWrongPasswords_LandExactlyOnTheThreshold()
    {
        var user = await CreateTwoFactorUserAsync("stepup-burst@example.com");
        var stepUp = factory.Services.GetRequiredService<StepUp>();

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => stepUp.WithPasswordAsync(user.Id, $"wrong {i}", StepUpPurposes.RemoveAuthenticator))));

        Assert.All(results, Assert.Null);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(3, await db.Users.Where(u => u.Id == user.Id).Select(u => u.AccessFailedCount).SingleAsync());
    }

    public void Dispose() => factory.Dispose();

    private async Task<ApplicationUser> CreateTwoFactorUserAsync(string email)
    {
        var user = await factory.CreateUserAsync(email, Password);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var stored = await users.FindByIdAsync(user.Id);
        Assert.NotNull(stored);
        await users.SetTwoFactorEnabledAsync(stored, true);
        return stored;
    }
}
