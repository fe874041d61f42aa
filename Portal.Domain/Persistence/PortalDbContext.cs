using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Audit;
using Tessera.Domain.Challenges;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Domain.Keys;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Persistence;

/// <param name="encryptor">Encrypts the columns marked [Encrypted]: the key ring in the app, a throwing stand-in at design time.</param>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options, IFieldEncryptor encryptor)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext, IFieldEncryptingContext
{
    public DbSet<UserSession> UserSessions => Set<UserSession>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<AuditStagedEvent> AuditStaged => Set<AuditStagedEvent>();

    public DbSet<AuditSubjectKey> AuditSubjectKeys => Set<AuditSubjectKey>();

    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();

    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();

    public DbSet<OtpChallenge> OtpChallenges => Set<OtpChallenge>();

    public DbSet<ProtectedSecret> ProtectedSecrets => Set<ProtectedSecret>();

    public DbSet<TotpAuthenticator> TotpAuthenticators => Set<TotpAuthenticator>();

    public DbSet<Factors.Phones.UserPhone> UserPhones => Set<Factors.Phones.UserPhone>();

    public DbSet<Factors.Push.PushDevice> PushDevices => Set<Factors.Push.PushDevice>();

    public DbSet<CrossDevice.PushApproval> PushApprovals => Set<CrossDevice.PushApproval>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<PasskeyCredential> PasskeyCredentials => Set<PasskeyCredential>();

    public DbSet<WebAuthnChallenge> WebAuthnChallenges => Set<WebAuthnChallenge>();

    public DbSet<QrSignInSession> QrSignInSessions => Set<QrSignInSession>();

    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    public DbSet<FieldKey> FieldKeys => Set<FieldKey>();

    public DbSet<AllowedPasskeyModel> AllowedPasskeyModels => Set<AllowedPasskeyModel>();

    public DbSet<PolicyDocument> PolicyDocuments => Set<PolicyDocument>();

    public DbSet<SendCounter> SendCounters => Set<SendCounter>();

    public DbSet<FailureBudget> FailureBudgets => Set<FailureBudget>();

    public DbSet<Risk.RiskSignIn> RiskSignIns => Set<Risk.RiskSignIn>();

    public DbSet<Risk.RiskFrequency> RiskFrequencies => Set<Risk.RiskFrequency>();

    public DbSet<Risk.KnownDevice> KnownDevices => Set<Risk.KnownDevice>();

    /// <summary>Data Protection keys live in the database so that every portal node shares them.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        if (Database.IsSqlite())
        {
            Instants.UseSqliteRepresentation(configurationBuilder);
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
        builder.UseFieldEncryption(encryptor);
    }

    IFieldEncryptor IFieldEncryptingContext.FieldEncryptor => encryptor;
}
