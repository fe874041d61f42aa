using System.Buffers.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Real ceremonies: Fido2 verifies responses that a software authenticator signs, over a real SQLite database.</summary>
public abstract class PasskeyTestBase : IAsyncLifetime
{
    protected static readonly Guid OnePassword = Guid.Parse("bada5566-a7aa-401f-bd96-45619a55120d");

    protected readonly SoftwareAuthenticator authenticator = new(OnePassword);
    protected FactorsFixture factors = null!;
    protected Passkeys passkeys = null!;
    protected string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        passkeys = factors.CreatePasskeys();
        userId = await factors.AddUserAsync();
    }

    public async Task DisposeAsync()
    {
        authenticator.Dispose();
        await factors.DisposeAsync();
    }

    protected async Task<PasskeyResult> RegisterAsync(SoftwareAuthenticator device, string user, CeremonyInput? input = null, string name = "Laptop")
    {
        var start = await passkeys.BeginRegistrationAsync(user, user);
        return await passkeys.CompleteRegistrationAsync(user, start.ChallengeId, device.Register(start.OptionsJson, input), name, factors.Database.StepUpProofs.Issue(user, Tessera.Domain.Accounts.StepUpPurposes.AddFactor));
    }

    protected async Task<PasskeyResult> AssertAsync(SoftwareAuthenticator device, string user, CeremonyInput? input = null)
    {
        var start = await passkeys.BeginAssertionAsync(user);
        return await passkeys.CompleteAssertionAsync(start.ChallengeId, device.Assert(start.OptionsJson, input), user);
    }

    protected async Task<bool> AuditedAsync(string type, AuditOutcome outcome)
    {
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        return await db.AuditEvents.AnyAsync(e => e.Type == type && e.Outcome == outcome);
    }
}
