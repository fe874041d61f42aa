using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;
using Tessera.Portal.Cli;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class CreateAdminCommandTests : IDisposable
{
    private readonly TesseraFactory factory = new();

    [Fact]
    public async Task CreateAdmin_CreatesAConfirmedAdmin_WithThePromptedPassword()
    {
        var output = new StringWriter();

        var exit = await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "root@example.com"], new StringReader("a long admin password\n"), output);

        Assert.Equal(0, exit);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync("root@example.com");
        Assert.NotNull(user);
        Assert.True(user.EmailConfirmed);
        Assert.True(await users.IsInRoleAsync(user, Roles.Admin));
        Assert.True(await users.CheckPasswordAsync(user, "a long admin password"));
    }

    [Fact]
    public async Task CreateAdmin_SaysTheNewAdminMustAddASecondFactor_AndByWhen()
    {
        var output = new StringWriter();

        await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "deadline@example.com"], new StringReader("a long admin password\n"), output);

        // The default grace period is seven days from now.
        var said = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"by (\d{4}-\d\d-\d\d \d\d:\d\d) UTC");
        Assert.True(said.Success, output.ToString());
        var deadline = DateTimeOffset.ParseExact(said.Groups[1].Value, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(deadline, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-2), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(1));
        Assert.Contains("must add a second factor", output.ToString());
    }

    [Fact]
    public async Task CreateAdmin_WithNoGracePeriod_SaysTheFactorComesFirstAtSignIn()
    {
        using var strict = new TesseraFactory().With("Policies:Mfa:GraceDays", "0");
        var output = new StringWriter();

        await CreateAdminCommand.RunAsync(strict.Services, ["create-admin", "--email", "at-once@example.com"], new StringReader("a long admin password\n"), output);

        Assert.Contains("at the first sign-in, add a passkey or an authenticator app before anything else", output.ToString());
    }

    [Fact]
    public async Task CreateAdmin_RunTwice_ChangesNothingTheSecondTime()
    {
        await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "twice@example.com"], new StringReader("a long admin password\n"), TextWriter.Null);
        var output = new StringWriter();

        var exit = await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "twice@example.com"], new StringReader(""), output);

        Assert.Equal(0, exit);
        Assert.Contains("already an admin", output.ToString());
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Users.CountAsync(u => u.Email == "twice@example.com"));
    }

    [Fact]
    public async Task CreateAdmin_PromotesAnExistingUser_AndAuditsTheRoleChange()
    {
        var user = await factory.CreateUserAsync("existing@example.com", "an existing amber lantern");

        var exit = await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "existing@example.com"], new StringReader(""), TextWriter.Null);

        Assert.Equal(0, exit);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var subject = await factory.AuditNameAsync(user.Id);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.RoleGranted && e.SubjectId == subject));
    }

    [Theory]
    [InlineData("create-admin")]
    [InlineData("create-admin --email not-an-address")]
    public async Task CreateAdmin_WithoutAValidEmail_PrintsUsage(string commandLine)
    {
        var output = new StringWriter();

        var exit = await CreateAdminCommand.RunAsync(factory.Services, commandLine.Split(' '), new StringReader(""), output);

        Assert.Equal(2, exit);
        Assert.Contains("Usage:", output.ToString());
    }

    [Fact]
    public async Task CreateAdmin_WithAWeakPassword_ExplainsWhy()
    {
        var output = new StringWriter();

        var exit = await CreateAdminCommand.RunAsync(factory.Services, ["create-admin", "--email", "weak@example.com"], new StringReader("short\n"), output);

        Assert.Equal(1, exit);
        Assert.Contains("Passwords must be at least", output.ToString());
    }

    public void Dispose() => factory.Dispose();
}
