using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Keys;

/// <summary>The <c>Keys</c> section.</summary>
public sealed class KeysOptions
{
    public const string Section = "Keys";

    /// <summary>How old the active field key may get before the daily job rotates it.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3650)]
    public int RotationDays { get; set; } = 90;
}

/// <param name="Rows">How many stored values are encrypted under this key now.</param>
public sealed record KeyStatus(int Id, DateTimeOffset CreatedAt, bool IsActive, DateTimeOffset? RetiredAt, long Rows);

/// <param name="Pending">Values still under a key other than the active one: 0 when no rotation is under way.</param>
public sealed record KeyRingStatus(IReadOnlyList<KeyStatus> Keys, long Pending, long Total, DateTimeOffset NextRotationDue);

/// <param name="Secrets">What rotating each install secret did (set by the Portal's job, which rotates them with the field keys).</param>
public sealed record RotationResult(int ActiveKey, long Reencrypted, IReadOnlyList<int> Retired, IReadOnlyList<SecretRotated>? Secrets = null)
{
    /// <summary>One line for the audit detail and the command line: "phones.number-hash=v2 (1 remade), ...".</summary>
    public string SecretsSummary => Secrets is not { Count: > 0 } secrets ? "none"
        : string.Join(", ", secrets.Select(s => $"{s.Name}=v{s.Version} ({s.Remade} remade)"));
}

/// <summary>
/// Rotates the field-encryption key: adds a key and makes it active, re-encrypts every encrypted column in batches
/// (the columns are found from the EF model's [Encrypted] properties, not from a list), then retires every older key
/// that no value uses any more. Each batch commits on its own, and which rows are left is read from the data itself,
/// so a rotation killed at any point resumes where it stopped; an old key stays readable until nothing uses it.
/// Callers (the Hangfire job, the CLI) write the audit events: Audit depends on Keys, not the other way round.
/// </summary>
public sealed class KeyRotation(
    IDbContextFactory<PortalDbContext> dbFactory, FieldKeyRing ring, TimeProvider time, IOptions<KeysOptions> options,
    ILogger<KeyRotation> logger)
{
    public const int DefaultBatchSize = 200;

    private static readonly MethodInfo BatchMethod = typeof(KeyRotation).GetMethod(nameof(ReencryptBatchAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    /// <summary>The daily job: rotates when the active key is older than Keys:RotationDays, and finishes a rotation cut short.</summary>
    public async Task<RotationResult?> RunScheduledAsync(CancellationToken cancellationToken = default)
    {
        var status = await StatusAsync(cancellationToken);
        if (status.Pending > 0)
        {
            return await FinishAsync(ActiveId(status), DefaultBatchSize, null, cancellationToken);
        }
        return time.GetUtcNow() >= status.NextRotationDue ? await RotateAsync(DefaultBatchSize, null, cancellationToken) : null;
    }

    /// <summary>"Rotate now": a new active key, then every value moved under it. Resumes instead when one is under way.</summary>
    /// <param name="progress">Told how many values were moved after each committed batch.</param>
    public async Task<RotationResult> RotateAsync(
        int batchSize = DefaultBatchSize, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var status = await StatusAsync(cancellationToken);
        if (status.Pending > 0)
        {
            // Killed mid-way: finish that rotation first rather than stacking a third key on top of it.
            return await FinishAsync(ActiveId(status), batchSize, progress, cancellationToken);
        }
        var active = await ring.AddActiveKeyAsync(cancellationToken);
        logger.LogInformation(new EventId(1501, "FieldKeyAdded"), "Field key {KeyId} is now active; re-encrypting every encrypted column", active);
        return await FinishAsync(active, batchSize, progress, cancellationToken);
    }

    public async Task<KeyRingStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.FieldKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        var rows = keys.ToDictionary(k => k.Id, _ => 0L);
        long total = 0;
        foreach (var column in EncryptedColumns(db))
        {
            foreach (var key in keys)
            {
                rows[key.Id] += await CountAsync(db, column, $"v1:{key.Id}:%", cancellationToken);
            }
            total += await CountAsync(db, column, "%", cancellationToken);
        }
        var activeKey = keys.SingleOrDefault(k => k.IsActive);
        var pending = activeKey is null ? 0 : total - rows[activeKey.Id];
        var due = (activeKey?.CreatedAt ?? time.GetUtcNow()).AddDays(options.Value.RotationDays);
        return new KeyRingStatus(keys.Select(k => new KeyStatus(k.Id, k.CreatedAt, k.IsActive, k.RetiredAt, rows[k.Id])).ToList(), pending, total, due);
    }

    private async Task<RotationResult> FinishAsync(int active, int batchSize, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        // This node encrypts under the newest key from here on, whichever node added it.
        await ring.InitializeAsync(cancellationToken);
        long moved = 0;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            foreach (var column in EncryptedColumns(db))
            {
                var batch = BatchMethod.MakeGenericMethod(column.Entity.ClrType);
                while (true)
                {
                    var done = await (Task<int>)batch.Invoke(this, [column, active, batchSize, cancellationToken])!;
                    moved += done;
                    progress?.Report(moved);
                    if (done < batchSize)
                    {
                        break;
                    }
                }
            }
        }
        var retired = await RetireUnusedAsync(active, cancellationToken);
        logger.LogInformation(new EventId(1502, "FieldKeyRotated"),
            "Field key rotation finished: {Count} values re-encrypted under key {KeyId}; retired keys {Retired}", moved, active, string.Join(",", retired));
        return new RotationResult(active, moved, retired);
    }

    /// <summary>One batch of one column: its rows not yet under the active key, read (decrypted) and written back.</summary>
    private async Task<int> ReencryptBatchAsync<T>(EncryptedColumn column, int active, int batchSize, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sql = $"SELECT * FROM {column.Table} WHERE {column.Column} IS NOT NULL AND {column.Column} NOT LIKE {{0}} LIMIT {batchSize.ToString(CultureInfo.InvariantCulture)}";
        var rows = await db.Set<T>().FromSqlRaw(sql, $"v1:{active}:%").ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            // Same plaintext, so EF sees no change; marked modified, the converter seals it again under the active key.
            db.Entry(row).Property(column.Property).IsModified = true;
        }
        await db.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }

    private async Task<List<int>> RetireUnusedAsync(int active, CancellationToken cancellationToken)
    {
        var status = await StatusAsync(cancellationToken);
        var retired = new List<int>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var key in status.Keys.Where(k => k.Id != active && k.RetiredAt is null && k.Rows == 0))
        {
            // Kept, wrapped, so that a value a lagging node still wrote under it stays readable; never used to encrypt.
            await db.FieldKeys.Where(k => k.Id == key.Id && k.RetiredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, time.GetUtcNow()), cancellationToken);
            retired.Add(key.Id);
        }
        return retired;
    }

    private static int ActiveId(KeyRingStatus status) => status.Keys.Single(k => k.IsActive).Id;

    private static Task<long> CountAsync(PortalDbContext db, EncryptedColumn column, string pattern, CancellationToken cancellationToken)
    {
        // Table and column names come from the EF model, quoted; the pattern is a parameter.
        var sql = $"SELECT COUNT(*) AS \"Value\" FROM {column.Table} WHERE {column.Column} IS NOT NULL AND {column.Column} LIKE {{0}}";
        return db.Database.SqlQueryRaw<long>(sql, pattern).SingleAsync(cancellationToken);
    }

    /// <summary>Every [Encrypted] property of the model, with its quoted table and column (the same quoting on both providers).</summary>
    internal static IReadOnlyList<EncryptedColumn> EncryptedColumns(PortalDbContext db) =>
        db.Model.GetEntityTypes()
            .SelectMany(entity => entity.GetDeclaredProperties()
                .Where(p => p.PropertyInfo?.GetCustomAttribute<EncryptedAttribute>() is not null)
                .Select(p => new EncryptedColumn(entity, p.Name, Quote(entity.GetTableName()!),
                    Quote(p.GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()))!))))
            .ToList();

    private static string Quote(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    internal sealed record EncryptedColumn(IEntityType Entity, string Property, string Table, string Column);
}
