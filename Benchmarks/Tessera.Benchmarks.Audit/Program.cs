// Audit log search at scale: seeds N events (1,000,000 by default) and times the real AuditSearch.
// Usage: dotnet run -c Release --project Benchmarks/Tessera.Benchmarks.Audit -- [--events N] [--iterations N] [--explain] [--no-sqlite]
// PostgreSQL as well when TESSERA_BENCH_POSTGRES holds a connection string to an empty database it may fill.
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tessera.Benchmarks.Audit;
using Tessera.Domain.Audit;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Portal.Endpoints;

var events = Option("--events", 1_000_000);
var iterations = Option("--iterations", 40);
var explain = args.Contains("--explain");
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

var directory = Path.Combine(Path.GetTempPath(), "tessera-bench-audit", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);
try
{
    if (!args.Contains("--no-sqlite"))
    {
        await RunAsync("SQLite", DatabaseProvider.Sqlite, ProviderSetup.SqliteConnectionString(directory));
    }
    if (Environment.GetEnvironmentVariable("TESSERA_BENCH_POSTGRES") is { Length: > 0 } postgres)
    {
        await RunAsync("PostgreSQL", DatabaseProvider.PostgreSql, postgres);
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    NpgsqlConnection.ClearAllPools();
    Directory.Delete(directory, recursive: true);
}

async Task RunAsync(string label, DatabaseProvider provider, string connectionString)
{
    var capture = new PlanCapture();
    var options = new DbContextOptionsBuilder<PortalDbContext>()
        .UseTesseraProvider(provider, connectionString)
        .AddInterceptors(capture)
        .Options;
    var factory = new Factory(options);
    await using (var db = factory.CreateDbContext())
    {
        await ProviderSetup.MigrateAsync(db);
        if (await db.AuditEvents.AnyAsync())
        {
            throw new InvalidOperationException($"{label}: the AuditEvents table is not empty; give the benchmark an empty database.");
        }
    }
    var secrets = new SecretStore(factory, new EphemeralDataProtectionProvider(), TimeProvider.System);
    var pseudonymizer = new IpPseudonymizer(secrets);
    var seeder = new Seeder(events, users: 20_000, addresses: 30_000, end: DateTimeOffset.UtcNow);
    var pseudonyms = new string[seeder.IpAddresses.Length];
    for (var i = 0; i < pseudonyms.Length; i++)
    {
        pseudonyms[i] = (await pseudonymizer.PseudonymizeAsync(seeder.IpAddresses[i]))!;
    }

    var seedClock = Stopwatch.StartNew();
    if (provider == DatabaseProvider.Sqlite)
    {
        await Seeder.SqliteAsync(connectionString, seeder.Events(pseudonyms));
    }
    else
    {
        await Seeder.PostgresAsync(connectionString, seeder.Events(pseudonyms));
    }
    Console.WriteLine($"## {label}: {events:N0} events seeded in {seedClock.Elapsed.TotalSeconds:F1} s");

    var search = new AuditSearch(factory, pseudonymizer, new AuditPseudonyms(factory, TimeProvider.System));
    var random = new Random(42);
    DateTimeOffset Day() => seeder.Start.AddDays(random.Next(Seeder.Days - 1));
    var scenarios = new (string Name, Func<AuditFilter> Filter)[]
    {
        ("unfiltered (baseline)", () => new AuditFilter()),
        ("time range (1 day)", () => { var from = Day(); return new AuditFilter(From: from, To: from.AddDays(1)); }),
        ("type", () => new AuditFilter(Type: Seeder.Types[random.Next(Seeder.Types.Count)])),
        ("user", () => new AuditFilter(SubjectId: seeder.UserIds[random.Next(seeder.UserIds.Length)])),
        ("outcome (failure)", () => new AuditFilter(Outcome: AuditOutcome.Failure)),
        ("IP address", () => new AuditFilter(IpAddress: seeder.IpAddresses[random.Next(seeder.IpAddresses.Length)])),
        ("user + time range (7 days)", () =>
        {
            var from = Day();
            return new AuditFilter(From: from, To: from.AddDays(7), SubjectId: seeder.UserIds[random.Next(seeder.UserIds.Length / 5)]);
        }),
    };

    Console.WriteLine();
    Console.WriteLine($"First page (25 rows, newest first, with the total count) through AuditSearch, {iterations} runs each:");
    Console.WriteLine();
    Console.WriteLine("| filter | p50 ms | p95 ms | p50 / baseline | p95 / baseline |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    (double P50, double P95)? baseline = null;
    foreach (var (name, filter) in scenarios)
    {
        for (var w = 0; w < 3; w++)
        {
            await search.SearchAsync(filter(), 0, 25);
        }
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var f = filter();
            var clock = Stopwatch.StartNew();
            await search.SearchAsync(f, 0, 25);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var p50 = times[(int)Math.Floor((times.Count - 1) * 0.5)];
        var p95 = times[(int)Math.Ceiling(times.Count * 0.95) - 1];
        baseline ??= (p50, p95);
        Console.WriteLine($"| {name} | {p50:F1} | {p95:F1} | {p50 / baseline.Value.P50:F2} | {p95 / baseline.Value.P95:F2} |");

        if (explain && provider == DatabaseProvider.Sqlite)
        {
            capture.Plans.Clear();
            capture.Capturing = true;
            await search.SearchAsync(filter(), 0, 25);
            capture.Capturing = false;
            foreach (var (sql, plan) in capture.Plans.Where(p => !p.Sql.Contains("LIMIT 1", StringComparison.Ordinal) || p.Sql.Contains("COUNT", StringComparison.Ordinal)).TakeLast(2))
            {
                Console.Error.WriteLine($"-- {name}: {sql.ReplaceLineEndings(" ")}");
                plan.ForEach(line => Console.Error.WriteLine($"--   {line}"));
            }
        }
    }

    // Export: the real CSV writer over the real keyset stream, 30 days of events.
    var exportFrom = seeder.Start.AddDays(30);
    var exportFilter = new AuditFilter(From: exportFrom, To: exportFrom.AddDays(30));
    var counting = new CountingStream();
    var exportClock = Stopwatch.StartNew();
    var rows = 0L;
    await AuditCsv.WriteAsync(counting, Count(search.StreamAsync(exportFilter)), CancellationToken.None);
    var seconds = exportClock.Elapsed.TotalSeconds;
    Console.WriteLine();
    Console.WriteLine($"CSV export (30 days): {rows:N0} rows, {counting.Length / 1_048_576.0:F0} MiB in {seconds:F1} s = {rows / seconds:N0} rows/s");
    Console.WriteLine();

    async IAsyncEnumerable<AuditEvent> Count(IAsyncEnumerable<AuditEvent> source)
    {
        await foreach (var e in source)
        {
            rows++;
            yield return e;
        }
    }
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
{
    // The audit tables have no encrypted columns, so no key ring is needed.
    public PortalDbContext CreateDbContext() => new(options, DesignTimeFieldEncryptor.Instance);
}

internal sealed class CountingStream : Stream
{
    private long length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => length;
    public override long Position { get => length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => length += count;
    public override void Write(ReadOnlySpan<byte> buffer) => length += buffer.Length;
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        length += buffer.Length;
        return ValueTask.CompletedTask;
    }
}
