using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>The real app with a clock the test moves, and optionally a send limiter that refuses everything.</summary>
public sealed partial class OtpApiFactory : TesseraFactory
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public ISendLimiter? Limiter { get; set; }

    /// <summary>Creates a client through the service, as the admin page and the command do, and returns an HTTP client carrying its key.</summary>
    public async Task<(HttpClient Http, ApiClientCreated Client)> CreateApiClientAsync(string name = "Test shop")
    {
        var created = await Services.GetRequiredService<ApiClients>().CreateAsync(name, createdBy: null);
        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return (http, created);
    }

    /// <summary>Reads the latest code as its recipient would: from the Development outbox once the delivery job has sent <paramref name="messages"/> messages.</summary>
    public async Task<string> ReceivedCodeAsync(Guid verificationId, int messages = 1)
    {
        var reference = $"challenge:{verificationId:N}";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var sent = await db.OutboundMessages.AsNoTracking()
                .Where(m => m.Reference == reference && m.Status == MessageStatus.Sent)
                .ToListAsync();
            if (sent.Count >= messages && sent.MaxBy(m => m.CreatedAt)?.TextBody is { } text)
            {
                return CodePattern().Match(text).Value;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No sent message for {reference}.");
    }

    public async Task<int> MessageCountAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.OutboundMessages.CountAsync();
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddTransient<IStartupFilter, IntegratorAddress>();
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            if (Limiter is not null)
            {
                services.RemoveAll<ISendLimiter>();
                services.AddSingleton(Limiter);
            }
        });
    }

    [GeneratedRegex(@"\b\d{6,10}\b")]
    private static partial Regex CodePattern();
}

/// <summary>Every request comes from one address, as API calls from an integrator's server do (TestServer sets none).</summary>
public sealed class IntegratorAddress : IStartupFilter
{
    public static readonly System.Net.IPAddress Address = System.Net.IPAddress.Parse("203.0.113.7");

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = Address;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>A limiter that refuses every send, as the real one does once a limit is reached.</summary>
public sealed class RefusingSendLimiter : ISendLimiter
{
    public List<SendAttempt> Attempts { get; } = [];

    public Task<SendDecision> CheckAsync(SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        lock (Attempts)
        {
            Attempts.Add(attempt);
        }
        return Task.FromResult(new SendDecision(false, "per-destination", TimeSpan.FromSeconds(42.3), "Too many codes were sent to this number. Try again later."));
    }
}
