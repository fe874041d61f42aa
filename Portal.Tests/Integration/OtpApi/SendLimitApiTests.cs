using System.Net;
using System.Net.Http.Json;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>A send refused by the limiter is a 429 the caller can act on, and nothing is queued or sent.</summary>
public sealed class SendLimitApiTests : IDisposable
{
    private readonly RefusingSendLimiter limiter = new();
    private readonly OtpApiFactory factory = new();

    public SendLimitApiTests() => factory.Limiter = limiter;

    [Fact]
    public async Task RefusedSend_Is429WithRetryAfterAndTheRule_AndNothingIsQueued()
    {
        var (http, created) = await factory.CreateApiClientAsync();

        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960123", channel = "sms" });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(43), response.Headers.RetryAfter!.Delta);
        var problem = await OtpApiFactory.JsonAsync(response);
        Assert.Equal("per-destination", problem.GetProperty("rule").GetString());
        Assert.Equal(43, problem.GetProperty("retryAfter").GetInt32());
        Assert.Contains("Try again later", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await factory.MessageCountAsync());
        var attempt = Assert.Single(limiter.Attempts);
        Assert.Equal(created.Id, attempt.ClientId);
        Assert.Equal("GB", attempt.RegionCode);
        Assert.Equal(Channel.Sms, attempt.Channel);
        Assert.Null(attempt.ClientIp);
    }

    public void Dispose() => factory.Dispose();
}
