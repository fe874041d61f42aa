using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A migrated SQLite file in a fresh temporary folder, with the audit services and the field key ring built over it the
/// way the app builds them (real EF Core, real Data Protection, a fake clock). Dispose it to delete the folder.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly DbContextOptions<PortalDbContext> options;

    private TestDatabase(string directory, string connectionString, DbContextOptions<PortalDbContext> options, FakeTimeProvider time)
    {
        this.options = options;
        ConnectionString = connectionString;
        Directory = directory;
        Time = time;
        (Factory, KeyRing) = CreateNode();
        Secrets = new SecretStore(Factory, Protection, time);
        Pseudonymizer = new IpPseudonymizer(Secrets);
        Subjects = new AuditPseudonyms(Factory, time);
        Sequencer = new AuditSequencer(Factory);
        AuditLog = new AuditLog(Factory, time, Pseudonymizer, Subjects, Sequencer);
        Refusals = new AuditRefusals(AuditLog, time);
        StepUpProofs = new Tessera.Domain.Accounts.StepUpProofs(Protection, new Tessera.Domain.Policies.AttemptCounters(Factory, Secrets, time), time);
    }

    /// <summary>Records an event and reads it back from the chain (the newest event: tests here are its only writer).</summary>
    public async Task<AuditEvent> RecordAuditAsync(AuditEntry entry)
    {
        await AuditLog.RecordAsync(entry);
        await using var db = await Factory.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).FirstAsync();
    }

    /// <summary>Chains staged audit events (the app runs it in the background; tests flush it when they read the chain).</summary>
    public AuditSequencer Sequencer { get; }

    /// <summary>The audit log's user pseudonyms on this database.</summary>
    public AuditPseudonyms Subjects { get; }

    /// <summary>Step-up proofs on this database; tests issue them (internal) as the re-check does after a success.</summary>
    public Tessera.Domain.Accounts.StepUpProofs StepUpProofs { get; }

    /// <summary>The MFA policy's checks on this database, under <paramref name="policies"/> (the defaults when null).</summary>
    public Tessera.Domain.SignIn.MfaRequirement Mfa(Tessera.Domain.Policies.IPolicies? policies = null) =>
        new(Factory, policies ?? new FixedPolicies(), Lifecycle(policies), AuditLog, Time);

    /// <summary>Security emails, queued on this database and never delivered (read them from OutboundMessages).</summary>
    public Tessera.Domain.Accounts.SecurityNotices Notices =>
        new(Factory, new Tessera.Domain.Delivery.MessageQueue(Factory, Time), NoDeliveryTrigger.Instance, NotMeLinks, AuditLog,
            new Tessera.Domain.Accounts.SecurityNoticeSettings("Tessera"));

    /// <summary>"This wasn't me" links on this database (their single use counted in it).</summary>
    public Tessera.Domain.Accounts.NotMeLinks NotMeLinks => new(Protection, new Tessera.Domain.Policies.AttemptCounters(Factory, Secrets, Time), Time);

    public Tessera.Domain.Factors.RecoveryCodes RecoveryCodes =>
        new(Factory, Time, AuditLog, Notices, Microsoft.Extensions.Options.Options.Create(new Tessera.Domain.Factors.FactorsOptions()));

    /// <summary>Challenges on this database: every send allowed, messages queued but not delivered.</summary>
    public Tessera.Domain.Challenges.Challenges Challenges(Tessera.Domain.Policies.ISendLimiter? limiter = null) =>
        new(Factory, Time, Secrets, AuditLog, new FixedPolicies(), new Tessera.Domain.Delivery.MessageQueue(Factory, Time),
            limiter ?? UnlimitedSendLimiter.Instance, NoDeliveryTrigger.Instance,
            new Tessera.Domain.Challenges.ChallengeTexts(new Tessera.Domain.Challenges.ChallengeTextSettings("Tessera", "localhost")));

    /// <summary>The factor lifecycle on this database, under <paramref name="policies"/> (the defaults when null).</summary>
    public Tessera.Domain.Factors.FactorLifecycle Lifecycle(Tessera.Domain.Policies.IPolicies? policies = null) =>
        new(Factory, RecoveryCodes, Notices, new Tessera.Domain.Accounts.UserSessions(Factory, Time, Pseudonymizer), policies ?? new FixedPolicies(),
            Challenges(), new Tessera.Domain.Factors.AuthenticatorModels(), AuditLog);

    /// <summary>Refusals recorded through <see cref="AuditLog"/>, a burst counted per minute.</summary>
    public AuditRefusals Refusals { get; }

    public string Directory { get; }

    public string ConnectionString { get; }

    /// <summary>Shared by every node of this database, as the app's Data Protection keys are shared through the database.</summary>
    public IDataProtectionProvider Protection { get; } = new EphemeralDataProtectionProvider();

    /// <summary>This node's key ring, initialised; the contexts of <see cref="Factory"/> encrypt through it.</summary>
    public FieldKeyRing KeyRing { get; }

    public IDbContextFactory<PortalDbContext> Factory { get; }

    public FakeTimeProvider Time { get; }

    public SecretStore Secrets { get; }

    public IpPseudonymizer Pseudonymizer { get; }

    public AuditLog AuditLog { get; }

    public static async Task<TestDatabase> CreateAsync(FakeTimeProvider? time = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tessera-unit-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var connectionString = ProviderSetup.SqliteConnectionString(directory);
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UseTesseraProvider(DatabaseProvider.Sqlite, connectionString)
            .Options;
        await using (var db = new PortalDbContext(options, DesignTimeFieldEncryptor.Instance))
        {
            await ProviderSetup.MigrateAsync(db);
        }
        var clock = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var database = new TestDatabase(directory, connectionString, options, clock);
        await database.KeyRing.InitializeAsync();
        return database;
    }

    /// <summary>
    /// Another node over the same database: its own contexts and its own key ring (not initialised), sharing only the
    /// database and the Data Protection keys, as a second app instance would.
    /// </summary>
    public (IDbContextFactory<PortalDbContext> Factory, FieldKeyRing KeyRing) CreateNode()
    {
        FieldKeyRing? ring = null;
        var factory = new NodeContextFactory(options, () => ring!);
        ring = new FieldKeyRing(factory, Protection, Time);
        return (factory, ring);
    }

    /// <summary>Runs SQL straight against the file, behind the application's back (tampering, deleting rows).</summary>
    public async Task<int> ExecuteSqlAsync(string sql, params object[] parameters)
    {
        await using var db = await Factory.CreateDbContextAsync();
        return await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        // Only this database's pool: other tests run in parallel on their own files.
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp folder is cleaned up by the OS.
        }
        await Task.CompletedTask;
    }

    /// <summary>
    /// What AddDbContextFactory does in the app, without a container. Not pooled: EF pools only contexts whose one
    /// constructor takes just the options, and PortalDbContext also takes its encryptor.
    /// </summary>
    private sealed class NodeContextFactory(DbContextOptions<PortalDbContext> options, Func<IFieldEncryptor> encryptor)
        : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(options, encryptor());
    }
}
