using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Tests.Support;

/// <summary>The checkpoint, verification and retention services over a test database, built the way the app builds them.</summary>
public sealed class AuditServices
{
    public AuditServices(TestDatabase database, int retentionDays = 365)
    {
        Checkpoints = new AuditCheckpoints(database.Factory, database.AuditLog, database.Secrets, database.Time, NullLogger<AuditCheckpoints>.Instance);
        Verifier = new AuditVerifier(database.Factory, Checkpoints, database.Sequencer);
        Retention = new AuditRetention(database.Factory, database.AuditLog, Checkpoints, Verifier, database.Time,
            Options.Create(new AuditOptions { RetentionDays = retentionDays }));
    }

    public AuditCheckpoints Checkpoints { get; }

    public AuditVerifier Verifier { get; }

    public AuditRetention Retention { get; }
}
