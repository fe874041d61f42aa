using System.Collections.Concurrent;
using System.Text.Json;

namespace Tessera.Benchmarks.Delivery;

/// <summary>A local SMS gateway on Kestrel that accepts everything and counts deliveries per message reference.</summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication app;
    private long requests;

    private FakeGateway(WebApplication app) => this.app = app;

    public ConcurrentDictionary<string, int> PerReference { get; } = new();

    public long Requests => Interlocked.Read(ref requests);

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new FakeGateway(app);
        app.MapPost("/sms", async (HttpRequest request) =>
        {
            using var json = await JsonDocument.ParseAsync(request.Body);
            var reference = json.RootElement.GetProperty("reference").GetString() ?? "";
            gateway.PerReference.AddOrUpdate(reference, 1, (_, n) => n + 1);
            Interlocked.Increment(ref gateway.requests);
            return Results.Ok();
        });
        await app.StartAsync();
        gateway.Url = new Uri(new Uri(app.Urls.First()), "/sms");
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
