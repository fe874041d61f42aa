using System.Net;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>The admin user pages and actions against the real app: the effect on sign-in, and who may see the pages.</summary>
public sealed class AdminUsersTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TesseraFactory factory = new();

    [Fact]
    public async Task Lock_ByAnAdmin_RefusesTheUsersPassword_AndUnlockRestoresIt()
    {
        var admin = await factory.CreateUserAsync("lock-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("locked-user@example.com", Password);
        using var client = factory.CreateBrowserlessClient();

        Assert.True((await ActAsync(a => a.LockAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.LockAccount)))).Succeeded);
        var refused = await SignIn.PostLoginAsync(client, user.Email!, Password);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/Account/Lockout", refused.TargetPath());

        Assert.True((await ActAsync(a => a.UnlockAsync(user.Id, admin.Id))).Succeeded);
        await SignIn.SignInAsync(client, user.Email!, Password);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task ResetFactors_UserWithAuthenticator_LeavesNoFactorsAndPasswordOnlySignIn()
    {
        var admin = await factory.CreateUserAsync("reset-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("reset-user@example.com", Password);
        var pending = Authenticators.Offer("Tessera", user.Email!);
        Assert.NotNull(await factory.Services.GetRequiredService<Authenticators>()
            .ConfirmAsync(user.Id, "Phone", pending, OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow), proof: null));
        var lifecycle = factory.Services.GetRequiredService<FactorLifecycle>();
        Assert.True(await lifecycle.HasSecondFactorAsync(user.Id));

        Assert.NotNull(await lifecycle.ResetAsync(user.Id, admin.Id, factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(admin.Id, Tessera.Domain.Accounts.StepUpPurposes.ResetSecondFactors)));

        Assert.Empty(await lifecycle.ListAsync(user.Id));
        Assert.Equal(0, await factory.Services.GetRequiredService<RecoveryCodes>().RemainingAsync(user.Id));
        Assert.False((await factory.FindUserAsync(user.Id)).TwoFactorEnabled);
        using var client = factory.CreateBrowserlessClient();
        var signIn = await SignIn.PostLoginAsync(client, user.Email!, Password);
        Assert.DoesNotContain("LoginWith2fa", signIn.Headers.Location!.ToString());
    }

    [Fact]
    public async Task UserPages_SignedInUser_AreForbidden()
    {
        var other = await factory.CreateUserAsync("someone@example.com", Password);
        await factory.CreateUserAsync("plain-user@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "plain-user@example.com", Password);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/admin/users/{other.Id}")).StatusCode);
    }

    [Fact]
    public async Task UserDetail_Admin_ShowsTheAccount()
    {
        await factory.CreateUserAsync("detail-admin@example.com", Password, Roles.Admin);
        var user = await factory.CreateUserAsync("detail-user@example.com", Password);
        using var client = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(client, "detail-admin@example.com", Password);

        var response = await client.GetAsync($"/admin/users/{user.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("detail-user@example.com", await response.Content.ReadAsStringAsync());
    }

    private async Task<T> ActAsync<T>(Func<AccountAdministration, Task<T>> act)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<AccountAdministration>());
    }

    public void Dispose() => factory.Dispose();
}
