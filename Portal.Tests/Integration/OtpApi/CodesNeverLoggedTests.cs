using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>A code is in the message and nowhere else: not in any log line, at any level, of any category.</summary>
public sealed partial class CodesNeverLoggedTests : IDisposable
{
    private readonly CapturingLoggerProvider logs = new();
    private readonly TesseraFactory factory;

    public CodesNeverLoggedTests()
    {
        // Ten digits, so a code cannot turn up in a log line by chance (in a duration, a port or an id).
        factory = new TesseraFactory()
            .With("Logging:LogLevel:Default", "Trace")
            .With("Policies:Otp:CodeLength", "10")
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
    }

    [Fact]
    public async Task SendDeliverAndCheck_AtTraceLevel_NeverLogTheCode()
    {
        var created = await factory.Services.GetRequiredService<ApiClients>().CreateAsync("Log check", createdBy: null);
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);

        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960123", channel = "sms" });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var code = await SentCodeAsync(id);
        var wrong = await http.PostAsJsonAsync($"/api/v1/verifications/{id}/check", new { code = "0000000000" });
        var right = await http.PostAsJsonAsync($"/api/v1/verifications/{id}/check", new { code });

        Assert.Equal("pending", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal("approved", (await right.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(code, StringComparison.Ordinal));
    }

    private async Task<string> SentCodeAsync(Guid id)
    {
        var reference = $"challenge:{id:N}";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            {
                var sent = await db.OutboundMessages.AsNoTracking()
                    .Where(m => m.Reference == reference && m.Status == MessageStatus.Sent).ToListAsync();
                if (sent.Count == 1)
                {
                    return TenDigits().Match(sent[0].TextBody!).Value;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "The code was not delivered within 30 seconds.");
            await Task.Delay(100);
        }
    }

    public void Dispose() => factory.Dispose();

    [GeneratedRegex(@"^\d{10}")]
    private static partial Regex TenDigits();

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
