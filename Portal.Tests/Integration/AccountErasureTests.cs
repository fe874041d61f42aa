using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Persistence;
using Tessera.Domain.Privacy;
using Tessera.Domain.SignIn;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// "Download my data" and "Delete my account" end to end: the export holds the person's factors by name and no
/// secret; after the erasure neither their email address nor their phone number is anywhere in the database, and the
/// audit chain still verifies.
/// </summary>
public sealed class AccountErasureTests : IAsyncLifetime
{
    private const string Password = SeededAccount.Password;
    private const string Email = "forget.me@example.com";
    private const string Number = SeededAccount.Number;
    private const string NationalNumber = "7700900123";

    private PostgresDatabase? postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task Export_HoldsTheFactorsByName_ThePhone_AndTheActivity_ButNoSecret()
    {
        using var factory = new TesseraFactory();
        var (_, secret, client) = await SeedAsync(factory);
        var bystander = await factory.CreateUserAsync("bystander@example.com", Password);

        var response = await client.GetAsync("/security/account/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("tessera-data-", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var json = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(Email, root.GetProperty("account").GetProperty("email").GetString());
        var method = Assert.Single(root.GetProperty("signInMethods").EnumerateArray());
        Assert.Equal("Work phone app", method.GetProperty("name").GetString());
        Assert.Equal(Number, Assert.Single(root.GetProperty("phones").EnumerateArray()).GetProperty("number").GetString());
        Assert.True(root.GetProperty("recoveryCodesLeft").GetInt32() > 0);
        Assert.NotEmpty(root.GetProperty("sessions").EnumerateArray());
        Assert.Contains(root.GetProperty("activity").EnumerateArray(), a => a.GetProperty("what").GetString() == "You added an authenticator app");
        // No secret: not the authenticator key in any encoding, not a recovery code, not a password hash.
        Assert.DoesNotContain(Convert.ToBase64String(secret), json);
        Assert.DoesNotContain(OtpNet.Base32Encoding.ToString(secret), json);
        Assert.DoesNotContain("passwordHash", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securityStamp", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bystander.Email!, json);
        Assert.DoesNotContain(bystander.Id, json);
    }

    [Fact]
    public async Task Export_OfAnotherUser_IsRefused_ToANonAdmin()
    {
        using var factory = new TesseraFactory();
        var (_, _, client) = await SeedAsync(factory);
        var other = await factory.CreateUserAsync("someone.else@example.com", Password);

        var response = await client.GetAsync($"/admin/users/{other.Id}/export");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Erase_OnSqlite_LeavesNeitherTheEmailNorThePhoneInTheDatabaseFile_AndTheChainVerifies()
    {
        using var factory = new TesseraFactory();
        var (user, _, client) = await SeedAsync(factory);

        var result = await EraseAsync(factory, user.Id);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/security")).StatusCode);
        Assert.False(await AccountExistsAsync(factory));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            // The audit log keeps the events, naming nobody.
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.AccountDeleted && e.Outcome == AuditOutcome.Success));
            Assert.False(await db.AuditSubjectKeys.AnyAsync(k => k.UserId == user.Id));
            Assert.False(await db.AuditEvents.AnyAsync(e => e.SubjectId == user.Id || e.ActorId == user.Id));
        }
        var report = await factory.Services.GetRequiredService<AuditVerifier>().VerifyAsync();
        Assert.True(report.Intact, report.Message);
        // Every byte of the database file and its write-ahead log, as anyone who copied them would read them.
        // The log first: a connection closing meanwhile checkpoints it into the main file and deletes it, and then the
        // main file, read after, holds what it held.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { factory.DatabasePath + "-wal", factory.DatabasePath })
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file);
            }
            catch (FileNotFoundException) when (file.EndsWith("-wal", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var needle in new[] { Email, Email.ToUpperInvariant(), Number, NationalNumber })
            {
                Assert.True(IndexOf(bytes, Encoding.UTF8.GetBytes(needle)) < 0, $"{Path.GetFileName(file)} still holds {needle}");
            }
        }
        // The last notice went out to the address the account had.
        Assert.Contains(await OutboxMail.BodiesToAsync(factory, Email), body => body.Contains("Your account was deleted"));
    }

    [SkippableFact]
    public async Task Erase_OnPostgreSql_LeavesNeitherTheEmailNorThePhoneInAnyTable_AndTheChainVerifies()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null, PostgresDatabase.SkipReason);
        postgres = await PostgresDatabase.CreateAsync();
        using var factory = new TesseraFactory().With("Database:Provider", "PostgreSql").With("Database:ConnectionString", postgres.ConnectionString);
        var (user, _, _) = await SeedAsync(factory);

        var result = await EraseAsync(factory, user.Id);

        Assert.True(result.Succeeded, result.Message);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var tables = await db.Database.SqlQueryRaw<string>(
            "SELECT table_schema || '.\"' || table_name || '\"' AS \"Value\" FROM information_schema.tables WHERE table_schema IN ('public', 'hangfire') AND table_type = 'BASE TABLE'")
            .ToListAsync();
        Assert.Contains(tables, t => t.EndsWith("\"AspNetUsers\"", StringComparison.Ordinal));
        foreach (var table in tables)
        {
            foreach (var needle in new[] { Email, Number, NationalNumber })
            {
                // The whole row as text: every column, whatever its type. The table name comes from the catalogue above.
                var sql = "SELECT count(*)::int AS \"Value\" FROM " + table + " t WHERE t::text ILIKE {0}";
                var hits = await db.Database.SqlQueryRaw<int>(sql, $"%{needle}%").SingleAsync();
                Assert.True(hits == 0, $"{table} still holds {needle} in {hits} rows");
            }
        }
        var report = await factory.Services.GetRequiredService<AuditVerifier>().VerifyAsync();
        Assert.True(report.Intact, report.Message);
    }

    [Fact]
    public async Task Erase_WithoutStepUp_OrWithTheWrongEmail_DeletesNothing()
    {
        using var factory = new TesseraFactory();
        var (user, _, _) = await SeedAsync(factory);
        var erasure = factory.Services.GetRequiredService<AccountErasure>();

        var noProof = await erasure.EraseAsync(user.Id, user.Id, null, Email);
        var wrongEmail = await erasure.EraseAsync(user.Id, user.Id, await ProofAsync(factory, user.Id), "someone@example.com");
        var replayed = await ProofAsync(factory, user.Id);
        Assert.Equal(ErasureOutcome.EmailMismatch, (await erasure.EraseAsync(user.Id, user.Id, replayed, "nope@example.com")).Outcome);
        var reused = await erasure.EraseAsync(user.Id, user.Id, replayed, Email);

        Assert.Equal(ErasureOutcome.StepUpRequired, noProof.Outcome);
        Assert.Equal(ErasureOutcome.EmailMismatch, wrongEmail.Outcome);
        // A proof is spent by its first use, even a refused one: it cannot be replayed.
        Assert.Equal(ErasureOutcome.StepUpRequired, reused.Outcome);
        Assert.True(await AccountExistsAsync(factory));
    }

    [Fact]
    public async Task AnAdmin_ExportsAndDeletesAUser_AndBothAreAuditedWithTheAdminAsActor()
    {
        using var factory = new TesseraFactory();
        var (user, _, _) = await SeedAsync(factory);
        var admin = await factory.CreateUserAsync("the.admin@example.com", Password, Roles.Admin);
        using var adminClient = factory.CreateBrowserlessClient();
        await SignIn.SignInAsync(adminClient, admin.Email!, Password);

        var export = await adminClient.GetAsync($"/admin/users/{user.Id}/export");
        var erased = await factory.Services.GetRequiredService<AccountErasure>()
            .EraseAsync(user.Id, admin.Id, await ProofAsync(factory, admin.Id), Email);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Contains(Email, await export.Content.ReadAsStringAsync());
        Assert.True(erased.Succeeded, erased.Message);
        var actor = await factory.AuditNameAsync(admin.Id);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.AccountDataExported && e.ActorId == actor));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.AccountDeleted && e.Outcome == AuditOutcome.Success && e.ActorId == actor));
        Assert.Equal(HttpStatusCode.NotFound, (await adminClient.GetAsync($"/admin/users/{user.Id}/export")).StatusCode);
        Assert.Contains(await OutboxMail.BodiesToAsync(factory, Email), body => body.Contains("An administrator deleted your account"));
    }

    [Fact]
    public async Task Erase_TheLastAdmin_IsRefused()
    {
        using var factory = new TesseraFactory();
        var admin = await factory.CreateUserAsync("only.admin@example.com", Password, Roles.Admin);

        var result = await factory.Services.GetRequiredService<AccountErasure>()
            .EraseAsync(admin.Id, admin.Id, await ProofAsync(factory, admin.Id), "only.admin@example.com");

        Assert.Equal(ErasureOutcome.LastAdmin, result.Outcome);
    }

    private static Task<(ApplicationUser User, byte[] Secret, HttpClient Client)> SeedAsync(TesseraFactory factory) =>
        SeededAccount.CreateAsync(factory, Email);

    private static async Task<StepUpProof> ProofAsync(TesseraFactory factory, string userId) =>
        (await factory.Services.GetRequiredService<StepUp>().WithPasswordAsync(userId, Password, StepUpPurposes.DeleteAccount))!;

    private static async Task<ErasureResult> EraseAsync(TesseraFactory factory, string userId) =>
        await factory.Services.GetRequiredService<AccountErasure>().EraseAsync(userId, userId, await ProofAsync(factory, userId), Email.ToUpperInvariant());

    private static async Task<bool> AccountExistsAsync(TesseraFactory factory)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Users.AnyAsync(u => u.NormalizedEmail == Email.ToUpperInvariant());
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
