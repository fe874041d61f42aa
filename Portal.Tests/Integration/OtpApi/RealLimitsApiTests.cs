using System.Net;
using System.Net.Http.Json;
using Tessera.Domain.Policies;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>The database-backed limiter as the app wires it: refusals are 429s and never reach a provider.</summary>
public sealed class RealLimitsApiTests : IDisposable
{
    private readonly OtpApiFactory factory = new();

    [Fact]
    public async Task SixthCodeToOneNumber_Is429PerDestination_AndOnlyFiveMessagesExist()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var limit = new PolicySet().RateLimits.PerDestination.Limit;
        for (var i = 0; i < limit; i++)
        {
            var accepted = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960123", channel = "sms" });
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        var refused = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+44 1632 960123", channel = "sms" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter!.Delta > TimeSpan.Zero);
        Assert.Equal(SendRules.PerDestination, (await OtpApiFactory.JsonAsync(refused)).GetProperty("rule").GetString());
        Assert.Equal(limit, await factory.MessageCountAsync());
    }

    [Fact]
    public async Task SmsToACountryNotAllowed_Is429_AndNothingIsQueued()
    {
        var (http, _) = await factory.CreateApiClientAsync();

        var refused = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+33612345678", channel = "sms" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var problem = await OtpApiFactory.JsonAsync(refused);
        Assert.Equal(SendRules.CountryNotAllowed, problem.GetProperty("rule").GetString());
        Assert.Equal("Text messages to this country are not allowed.", problem.GetProperty("title").GetString());
        Assert.Equal(0, await factory.MessageCountAsync());
    }

    public void Dispose() => factory.Dispose();
}
