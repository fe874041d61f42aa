using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Tests.Support;

/// <summary>The Factors services over a <see cref="TestDatabase"/>, built as the app builds them, with a fake clock.</summary>
public sealed class FactorsFixture : IAsyncDisposable
{
    private FactorsFixture(TestDatabase database, int maxFailedAccessAttempts)
    {
        Database = database;
        var factors = Options.Create(new FactorsOptions());
        var identity = Options.Create(new IdentityOptions());
        identity.Value.Lockout.MaxFailedAccessAttempts = maxFailedAccessAttempts;
        identity.Value.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        Lifecycle = database.Lifecycle(Policies);
        Authenticators = new Authenticators(database.Factory, database.Time, database.AuditLog, Policies, Lifecycle);
        RecoveryCodes = new RecoveryCodes(database.Factory, database.Time, database.AuditLog, database.Notices, factors);
        Attempts = new FailedAttempts(database.Factory, database.Time, identity,
            new FailureLimits(maxFailedAccessAttempts, TimeSpan.FromMinutes(15), PerDay: Math.Max(100, maxFailedAccessAttempts)));
        Check = new SecondFactorCheck(Attempts, Authenticators, RecoveryCodes, database.AuditLog, database.Refusals);
    }

    public TestDatabase Database { get; }

    /// <summary>The policies the services read (the TOTP window); a test may replace <see cref="FixedPolicies.Current"/>.</summary>
    public FixedPolicies Policies { get; } = new();

    public Authenticators Authenticators { get; }

    /// <summary>Adding, removing and listing factors of every kind, as the app builds it.</summary>
    public FactorLifecycle Lifecycle { get; }

    public RecoveryCodes RecoveryCodes { get; }

    public FailedAttempts Attempts { get; }

    public SecondFactorCheck Check { get; }

    /// <summary>The passkey service as the app builds it (real Fido2 from the same configuration code), over this database.</summary>
    /// <param name="metadata">A verified metadata BLOB (see <see cref="TestMetadata"/>); none by default.</param>
    public Passkeys CreatePasskeys(Action<WebAuthnOptions>? configure = null, FileMetadataService? metadata = null)
    {
        var webAuthn = new WebAuthnOptions { Origins = [CeremonyInput.DefaultOrigin] };
        configure?.Invoke(webAuthn);
        metadata ??= FileMetadataService.None;
        var fido2 = Tessera.Portal.Hosting.PasskeysExtensions.CreateFido2(webAuthn, webAuthn.Origins, metadata);
        return new Passkeys(Database.Factory, fido2, Database.Time, Database.AuditLog, Options.Create(webAuthn), Models, Lifecycle, metadata);
    }

    public AuthenticatorModels Models { get; } = new();

    public static async Task<FactorsFixture> CreateAsync(int maxFailedAccessAttempts = 5) =>
        new(await TestDatabase.CreateAsync(), maxFailedAccessAttempts);

    public async Task<string> AddUserAsync(string email = "ada@example.com")
    {
        await using var db = await Database.Factory.CreateDbContextAsync();
        var user = new ApplicationUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            LockoutEnabled = true,
            SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Puts the user in <paramref name="role"/> (created when missing), as Identity stores it.</summary>
    public async Task AddToRoleAsync(string userId, string role)
    {
        await using var db = await Database.Factory.CreateDbContextAsync();
        var stored = await db.Roles.SingleOrDefaultAsync(r => r.Name == role);
        if (stored is null)
        {
            stored = new IdentityRole(role) { NormalizedName = role.ToUpperInvariant() };
            db.Roles.Add(stored);
        }
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = userId, RoleId = stored.Id });
        await db.SaveChangesAsync();
    }

    /// <summary>Enrolls an authenticator confirmed with the code of the current step, and returns its secret.</summary>
    public async Task<PendingAuthenticator> EnrollAsync(string userId, string name = "Phone")
    {
        var pending = Tessera.Domain.Factors.Authenticators.Offer("Tessera", "ada@example.com");
        var id = await Authenticators.ConfirmAsync(userId, name, pending, OneTimeCodes.ComputeTotp(pending.Secret, Database.Time.GetUtcNow()), Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));
        Assert.NotNull(id);
        return pending;
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
