using System.Net;
using System.Net.Http.Json;
using Tessera.Domain.ApiClients;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>The OTP message API end to end: real app, real SQLite file, codes read from the Development outbox.</summary>
public sealed class VerificationApiTests(OtpApiFactory factory) : IClassFixture<OtpApiFactory>
{
    [Fact]
    public async Task Sms_Create_Answers201WithLocationAndMaskedNumber()
    {
        var (http, _) = await factory.CreateApiClientAsync();

        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960123", channel = "sms" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await OtpApiFactory.JsonAsync(response);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/verifications/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("sms", body.GetProperty("channel").GetString());
        Assert.DoesNotContain("960123", body.GetProperty("to").GetString());
        Assert.EndsWith("123", body.GetProperty("to").GetString());
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > factory.Time.GetUtcNow());
    }

    [Theory]
    [InlineData("+441632960124", "sms")]
    [InlineData("alice@example.com", "email")]
    public async Task ReceivedCode_IsApprovedOnce_AndASecondCheckIsNot(string to, string channel)
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, to, channel);
        var code = await factory.ReceivedCodeAsync(id);

        var first = await CheckAsync(http, id, code);
        var second = await CheckAsync(http, id, code);

        Assert.Equal("approved", first.Status);
        Assert.Equal("expired", second.Status);
    }

    [Fact]
    public async Task Email_Create_MasksTheAddress()
    {
        var (http, _) = await factory.CreateApiClientAsync();

        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "alice@example.com", channel = "email" });

        Assert.Equal("a•••@example.com", (await OtpApiFactory.JsonAsync(response)).GetProperty("to").GetString());
    }

    [Fact]
    public async Task ManySendsFromOneIntegratorAddress_AreNotCappedByThePerIpLimit()
    {
        var (http, _) = await factory.CreateApiClientAsync("Busy shop");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            statuses.Add((await http.PostAsJsonAsync("/api/v1/verifications", new { to = $"user{i}@example.com", channel = "email" })).StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
    }

    [Fact]
    public async Task FiftyConcurrentChecksOfTheRightCode_ApproveExactlyOne()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960125", "sms");
        var code = await factory.ReceivedCodeAsync(id);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => CheckAsync(http, id, code)));

        Assert.Equal(1, results.Count(r => r.Status == "approved"));
    }

    [Fact]
    public async Task SixthCheck_IsRefused_EvenWithTheRightCode()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960126", "sms");
        var code = await factory.ReceivedCodeAsync(id);
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
        {
            await CheckAsync(http, id, wrong);
        }

        var sixth = await CheckAsync(http, id, code);

        Assert.Equal("max_attempts_reached", sixth.Status);
        Assert.Equal(0, sixth.AttemptsLeft);
    }

    [Fact]
    public async Task WrongCode_IsPending_WithOneAttemptFewer()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960127", "sms");
        var code = await factory.ReceivedCodeAsync(id);

        var result = await CheckAsync(http, id, code == "000000" ? "111111" : "000000");

        Assert.Equal("pending", result.Status);
        Assert.Equal(4, result.AttemptsLeft);
    }

    [Fact]
    public async Task ExpiredCode_IsRefused()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960128", "sms");
        var code = await factory.ReceivedCodeAsync(id);

        factory.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var result = await CheckAsync(http, id, code);

        Assert.Equal("expired", result.Status);
    }

    [Fact]
    public async Task Cancel_ClosesTheVerification_AndASecondCancelConflicts()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960129", "sms");
        var code = await factory.ReceivedCodeAsync(id);

        var canceled = await http.DeleteAsync($"/api/v1/verifications/{id}");
        var again = await http.DeleteAsync($"/api/v1/verifications/{id}");
        var check = await CheckAsync(http, id, code);

        Assert.Equal(HttpStatusCode.OK, canceled.StatusCode);
        Assert.Equal("canceled", (await OtpApiFactory.JsonAsync(canceled)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        Assert.Equal("canceled", check.Status);
    }

    [Fact]
    public async Task Get_ShowsStatusAttemptsAndTheDeliveredMessage()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "bob@example.com", "email");
        await factory.ReceivedCodeAsync(id);
        await CheckAsync(http, id, "not the code");

        var body = await OtpApiFactory.JsonAsync(await http.GetAsync($"/api/v1/verifications/{id}"));

        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("b•••@example.com", body.GetProperty("to").GetString());
        Assert.Equal(4, body.GetProperty("attemptsLeft").GetInt32());
        Assert.Equal(4, body.GetProperty("sendsLeft").GetInt32());
        var delivery = Assert.Single(body.GetProperty("deliveries").EnumerateArray());
        Assert.Equal("email", delivery.GetProperty("channel").GetString());
        Assert.Equal("sent", delivery.GetProperty("status").GetString());
        Assert.Equal(JsonValueKindArray, delivery.GetProperty("attempts").ValueKind);
    }

    [Fact]
    public async Task Resend_DuringCooldown_Is429WithRetryAfter_AndAfterItReplacesTheCode()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var id = await CreateAsync(http, "+441632960130", "sms");
        var oldCode = await factory.ReceivedCodeAsync(id);

        var early = await http.PostAsync($"/api/v1/verifications/{id}/resend", null);
        factory.Time.Advance(TimeSpan.FromSeconds(31));
        var later = await http.PostAsync($"/api/v1/verifications/{id}/resend", null);
        var newCode = await factory.ReceivedCodeAsync(id, messages: 2);

        Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        Assert.NotNull(early.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        if (newCode != oldCode)
        {
            Assert.Equal("pending", (await CheckAsync(http, id, oldCode)).Status);
        }
        Assert.Equal("approved", (await CheckAsync(http, id, newCode)).Status);
    }

    [Fact]
    public async Task AnotherClientsVerification_IsNotFound()
    {
        var (owner, _) = await factory.CreateApiClientAsync("Owner");
        var (other, _) = await factory.CreateApiClientAsync("Other");
        var id = await CreateAsync(owner, "+441632960131", "sms");

        var get = await other.GetAsync($"/api/v1/verifications/{id}");
        var check = await other.PostAsJsonAsync($"/api/v1/verifications/{id}/check", new { code = "123456" });
        var cancel = await other.DeleteAsync($"/api/v1/verifications/{id}");

        Assert.All([get, check, cancel], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("application/problem+json", check.Content.Headers.ContentType!.MediaType);
        Assert.Equal("pending", (await OtpApiFactory.JsonAsync(await owner.GetAsync($"/api/v1/verifications/{id}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ping_NamesTheClient_AndAcceptsTheXApiKeyHeader()
    {
        var (_, created) = await factory.CreateApiClientAsync("Ping shop");
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", created.Key);

        var body = await OtpApiFactory.JsonAsync(await http.GetAsync("/api/v1/ping"));

        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("Ping shop", body.GetProperty("client").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer tsk_nosuchclient1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task MissingOrInvalidKey_Is401WithWwwAuthenticate(string? authorization)
    {
        var http = factory.CreateClient();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960132", channel = "sms" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task RevokedKey_Is401()
    {
        var (http, created) = await factory.CreateApiClientAsync("Revoked shop");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/ping")).StatusCode);

        await factory.Services.GetRequiredService<ApiClients>().RevokeAsync(created.Id, actorId: null);
        var response = await http.GetAsync("/api/v1/ping");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindArray = System.Text.Json.JsonValueKind.Array;

    private static async Task<Guid> CreateAsync(HttpClient http, string to, string channel)
    {
        var response = await http.PostAsJsonAsync("/api/v1/verifications", new { to, channel });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await OtpApiFactory.JsonAsync(response)).GetProperty("id").GetGuid();
    }

    private static async Task<(string Status, int AttemptsLeft)> CheckAsync(HttpClient http, Guid id, string code)
    {
        var response = await http.PostAsJsonAsync($"/api/v1/verifications/{id}/check", new { code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OtpApiFactory.JsonAsync(response);
        return (body.GetProperty("status").GetString()!, body.GetProperty("attemptsLeft").GetInt32());
    }
}
