using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tessera.Portal.Tests.Support;

/// <summary>One HTTP request as the fake provider received it.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string ContentType, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// An SMS provider on a free loopback port in the test process (a minimal Kestrel app): records every request and
/// answers what <see cref="Respond"/> says (200 by default), so a test can script outages.
/// </summary>
public sealed class FakeSmsProvider : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<(RecordedRequest Request, int Status)> answered = new();

    private FakeSmsProvider(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Status code for a request, given how many requests (this one included) have arrived.</summary>
    public Func<RecordedRequest, int, int> Respond { get; set; } = (_, _) => StatusCodes.Status200OK;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToList();

    /// <summary>Every request with the status it was answered.</summary>
    public IReadOnlyList<(RecordedRequest Request, int Status)> Answered => answered.ToList();

    public static async Task<FakeSmsProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new FakeSmsProvider(app);
        app.Run(provider.HandleAsync);
        await app.StartAsync();
        provider.BaseUrl = new Uri(app.Urls.First());
        return provider;
    }

    /// <summary>Polls (bounded) until <paramref name="done"/> holds for the requests received so far.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitAsync(Func<IReadOnlyList<RecordedRequest>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var seen = Requests;
            if (done(seen))
            {
                return seen;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The fake SMS provider did not see what the test waited for within {timeout}; it saw {requests.Count} request(s).");
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            context.Request.ContentType ?? "",
            body);
        requests.Enqueue(recorded);
        context.Response.StatusCode = Respond(recorded, requests.Count);
        answered.Enqueue((recorded, context.Response.StatusCode));
        await context.Response.WriteAsync(context.Response.StatusCode < 300 ? "{\"status\":\"queued\"}" : "{\"error\":\"scripted\"}");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
