// Delivery throughput: sends accepted (messages committed to the queue, as a challenge commits its message) and handed
// to the SMS provider per second, sustained, on SQLite, against a local fake gateway. Baseline: the fake gateway's own
// request rate from a plain HttpClient loop with the same parallelism, measured in the same run.
//
//   dotnet run -c Release --project Benchmarks/Tessera.Benchmarks.Delivery -- [seconds=60] [offered-per-second=1500]
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Benchmarks.Delivery;
using Tessera.Domain.Delivery;
using Tessera.Domain.Keys;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Portal.Delivery;
using Tessera.Domain.Contacts;

var seconds = args.Length > 0 ? int.Parse(args[0]) : 60;
var offered = args.Length > 1 ? int.Parse(args[1]) : 1500;
const int Parallelism = 16;
const int Drains = 2; // Jobs:WorkerCount's default: two Hangfire workers running drains.

await using var gateway = await FakeGateway.StartAsync();
var directory = Path.Combine(Path.GetTempPath(), "tessera-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);

var services = new ServiceCollection();
services.AddLogging();
services.AddSingleton(TimeProvider.System);
var synchronous = Environment.GetEnvironmentVariable("BENCH_SQLITE_SYNCHRONOUS") ?? "FULL";
services.AddDbContextFactory<PortalDbContext>(o =>
{
    o.UseTesseraProvider(DatabaseProvider.Sqlite, ProviderSetup.SqliteConnectionString(directory));
    if (synchronous == "NORMAL")
    {
        o.AddInterceptors(new SynchronousNormal());
    }
});
services.AddDataProtection().SetApplicationName("Tessera").PersistKeysToDbContext<PortalDbContext>();
services.AddSingleton<FieldKeyRing>();
services.AddSingleton<IFieldEncryptor>(p => p.GetRequiredService<FieldKeyRing>());
services.AddSingleton<IPolicies, BuiltInPolicies>();
services.AddSingleton(Options.Create(new DeliveryOptions { RetryDelays = [TimeSpan.FromSeconds(1)], BatchSize = 100, MaxParallelSends = Parallelism }));
var sms = new SmsOptions { Provider = SmsOptions.GatewayProvider };
sms.Gateway.Url = gateway.Url.ToString();
sms.Gateway.AuthHeaderName = "X-Api-Key";
sms.Gateway.AuthHeaderValue = "bench";
services.AddSingleton(Options.Create(sms));
services.AddHttpClient(SmsOptions.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
services.AddSingleton<IMessageChannel, GatewaySmsChannel>();
services.AddSingleton<MessageQueue>();
services.AddSingleton<DeliveryEngine>();
await using var provider = services.BuildServiceProvider();
var dbFactory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
await using (var db = await dbFactory.CreateDbContextAsync())
{
    await ProviderSetup.MigrateAsync(db);
}
await provider.GetRequiredService<FieldKeyRing>().InitializeAsync();
var queue = provider.GetRequiredService<MessageQueue>();
var engine = provider.GetRequiredService<DeliveryEngine>();

Console.WriteLine($"Delivery throughput: {seconds} s, offered {offered}/s, {Drains} drains x {Parallelism} parallel sends, SQLite (synchronous={synchronous}), {Environment.ProcessorCount} cores");

// Baseline: what the fake gateway takes from a bare HttpClient with the same parallelism.
var http = provider.GetRequiredService<IHttpClientFactory>();
var baselineStop = Stopwatch.StartNew();
var before = gateway.Requests;
await Task.WhenAll(Enumerable.Range(0, Drains * Parallelism).Select(async _ =>
{
    var client = http.CreateClient(SmsOptions.HttpClientName);
    while (baselineStop.Elapsed < TimeSpan.FromSeconds(10))
    {
        (await client.PostAsJsonAsync(gateway.Url, new { to = "+447700900123", text = "baseline", reference = "baseline" })).Dispose();
    }
}));
var baseline = (gateway.Requests - before) / baselineStop.Elapsed.TotalSeconds;
gateway.PerReference.Clear();
Console.WriteLine($"baseline: fake gateway takes {baseline:F0} requests/s");

if (Environment.GetEnvironmentVariable("BENCH_MODE") == "backlog")
{
    // Engine only: a backlog staged up front (500 per transaction), then timed until every message is handed off.
    var backlog = new List<Guid>();
    var total = seconds * offered;
    for (var staged = 0; staged < total; staged += 500)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        for (var i = staged; i < Math.Min(total, staged + 500); i++)
        {
            backlog.Add(queue.Stage(db, new MessageDraft(Channel.Sms, $"+447700900{i % 1000:000}", "Code", null,
                $"{i % 1000000:000000} is your Tessera sign-in code.\n\n@localhost #{i % 1000000:000000}")));
        }
        await db.SaveChangesAsync();
    }
    var drainClock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Drains).Select(_ => Task.Run(() => engine.DrainAsync())));
    var elapsed = drainClock.Elapsed.TotalSeconds;
    var missing = backlog.Count(id => !gateway.PerReference.ContainsKey(id.ToString()));
    Console.WriteLine($"backlog: {backlog.Count} messages handed off in {elapsed:F1} s = {backlog.Count / elapsed:F0}/s; lost {missing}, delivered twice {gateway.PerReference.Count(p => p.Value > 1)}");
    Console.WriteLine($"ratio handed-off / gateway baseline: {backlog.Count / elapsed / baseline:P0}");
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(directory, recursive: true);
    return missing == 0 ? 0 : 1;
}

// The run: a paced producer stages one message per transaction; drains loop like Hangfire workers woken by the trigger.
var accepted = new List<Guid>();
var stopProducing = new CancellationTokenSource();
var stopDraining = new CancellationTokenSource();
var clock = Stopwatch.StartNew();
var producer = Task.Run(async () =>
{
    var producerCount = int.Parse(Environment.GetEnvironmentVariable("BENCH_PRODUCERS") ?? "4");
    var producers = Enumerable.Range(0, producerCount).Select(async p =>
    {
        var sent = 0L;
        while (!stopProducing.IsCancellationRequested)
        {
            // Paced: each producer keeps to its share of the offered rate.
            var due = (long)(clock.Elapsed.TotalSeconds * offered / producerCount);
            if (sent >= due)
            {
                await Task.Delay(1);
                continue;
            }
            await using var db = await dbFactory.CreateDbContextAsync();
            var id = queue.Stage(db, new MessageDraft(Channel.Sms, $"+4477009{p}{sent % 10000:0000}", "Code", null,
                $"{sent % 1000000:000000} is your Tessera sign-in code. Do not share it.\n\n@localhost #{sent % 1000000:000000}"));
            await db.SaveChangesAsync();
            lock (accepted)
            {
                accepted.Add(id);
            }
            sent++;
        }
    });
    await Task.WhenAll(producers);
});
var drainCount = Environment.GetEnvironmentVariable("BENCH_NO_DRAIN") == "1" ? 0 : Drains;
var drains = Enumerable.Range(0, drainCount).Select(_ => Task.Run(async () =>
{
    while (!stopDraining.IsCancellationRequested)
    {
        var result = await engine.DrainAsync();
        if (result.Sent + result.Failed == 0)
        {
            await Task.Delay(10);
        }
    }
})).ToList();

var window = TimeSpan.FromSeconds(seconds);
var lastReport = 0L;
while (clock.Elapsed < window)
{
    await Task.Delay(TimeSpan.FromSeconds(10));
    var now = gateway.PerReference.Count;
    Console.WriteLine($"  t={clock.Elapsed.TotalSeconds,5:F0}s accepted={accepted.Count,7} handed-off={now,7} (+{(now - lastReport) / 10.0:F0}/s)");
    lastReport = now;
}
stopProducing.Cancel();
await producer;
var acceptedInWindow = accepted.Count;
var handedInWindow = gateway.PerReference.Count;
var windowSeconds = clock.Elapsed.TotalSeconds;
// Let the backlog drain, then check that every accepted message reached the gateway exactly once.
var tail = Stopwatch.StartNew();
while (gateway.PerReference.Count < accepted.Count && tail.Elapsed < TimeSpan.FromMinutes(2))
{
    await Task.Delay(100);
}
stopDraining.Cancel();
await Task.WhenAll(drains);

var lost = accepted.Count(id => !gateway.PerReference.ContainsKey(id.ToString()));
var duplicated = gateway.PerReference.Count(p => p.Value > 1);
await using (var db = await dbFactory.CreateDbContextAsync())
{
    var notSent = await db.OutboundMessages.CountAsync(m => m.Status != MessageStatus.Sent);
    Console.WriteLine($"accepted: {acceptedInWindow / windowSeconds:F0}/s, handed off: {handedInWindow / windowSeconds:F0}/s over {windowSeconds:F0} s");
    Console.WriteLine($"backlog at end of window: {acceptedInWindow - handedInWindow}, drained in {tail.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"messages: {accepted.Count}, lost: {lost}, delivered twice: {duplicated}, rows not Sent: {notSent}");
    Console.WriteLine($"ratio handed-off / gateway baseline: {handedInWindow / windowSeconds / baseline:P0}");
}
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(directory, recursive: true);
return lost == 0 && duplicated == 0 ? 0 : 1;

/// <summary>The built-in policy defaults, without the database-backed store (the benchmark times delivery alone).</summary>
internal sealed class BuiltInPolicies : IPolicies
{
    public ValueTask<PolicySet> CurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(new PolicySet());
}
