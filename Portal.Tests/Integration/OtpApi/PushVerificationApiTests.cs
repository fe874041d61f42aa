using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain.ApiClients;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Factors.Push;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>
/// <c>channel: "push"</c> of the OTP API end to end: the real app delivers through Hangfire to a push service stand-in
/// in this process, which decrypts the payload; the person approves by typing the number the API returned.
/// </summary>
public sealed class PushVerificationApiTests : IClassFixture<TesseraFactory>, IAsyncLifetime
{
    private readonly TesseraFactory factory;
    private FakePushService pushService = null!;

    public PushVerificationApiTests(TesseraFactory factory) => this.factory = factory.With("Push:AllowLoopbackEndpoints", "true");

    public async Task InitializeAsync() => pushService = await FakePushService.StartAsync();

    public async Task DisposeAsync() => await pushService.DisposeAsync();

    [Fact]
    public async Task Push_ToAUserWithADevice_IsApprovedByTypingTheReturnedNumber_AndReadsApproved()
    {
        var (email, userId, subscription) = await UserWithDeviceAsync();
        using var http = await ApiClientAsync();

        var created = await http.PostAsJsonAsync("/api/v1/verifications", new { to = email.ToUpperInvariant(), channel = "push", message = "Pay 20 EUR to Bob" });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        var number = body.GetProperty("number").GetInt32();
        var before = await ReadAsync(http, id);
        var token = await ReceivedTokenAsync(subscription, "Pay 20 EUR to Bob");
        var approved = await factory.Services.GetRequiredService<PushApprovals>()
            .ApproveAsync(token, userId, number.ToString(System.Globalization.CultureInfo.InvariantCulture), new ClientDevice("198.51.100.9", "Phone"));
        var after = await ReadAsync(http, id);
        var check = await http.PostAsJsonAsync($"/api/v1/verifications/{id}/check", new { code = "123456" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("push", body.GetProperty("channel").GetString());
        Assert.InRange(number, 10, 99);
        Assert.Equal("pending", before.GetProperty("status").GetString());
        Assert.Equal(PushApprovalStatus.Approved, approved);
        Assert.Equal("approved", after.GetProperty("status").GetString());
        Assert.Equal("sent", after.GetProperty("deliveries")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, check.StatusCode);
    }

    [Fact]
    public async Task Push_DeniedOnTheDevice_ReadsDenied_AndIsInvisibleToOtherClients()
    {
        var (email, userId, subscription) = await UserWithDeviceAsync();
        using var http = await ApiClientAsync();
        using var other = await ApiClientAsync("Other shop");

        var created = await http.PostAsJsonAsync("/api/v1/verifications", new { to = email, channel = "push" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = await ReceivedTokenAsync(subscription, "An app asks you to approve a request");
        await factory.Services.GetRequiredService<PushApprovals>().DenyAsync(token, userId, thisWasntMe: false, new ClientDevice(null, null));

        Assert.Equal("denied", (await ReadAsync(http, id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/verifications/{id}")).StatusCode);
    }

    [Fact]
    public async Task Push_ToAUserWithoutDevices_OrNoUser_Answers404WithAClearProblem()
    {
        var email = $"nodevice-{Guid.NewGuid():N}@example.com";
        await factory.CreateUserAsync(email, "correct-horse-battery");
        using var http = await ApiClientAsync();

        var withoutDevices = await http.PostAsJsonAsync("/api/v1/verifications", new { to = email, channel = "push" });
        var nobody = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "nobody-here@example.com", channel = "push" });
        var problem = await withoutDevices.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, withoutDevices.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Contains("push device", problem.GetProperty("detail").GetString());
        var other = await nobody.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()),
            (other.GetProperty("title").GetString(), other.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesThePushChannel()
    {
        using var client = factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var create = document.RootElement.GetProperty("paths").GetProperty("/api/v1/verifications").GetProperty("post");
        Assert.Contains("With channel \"push\"", create.GetProperty("description").GetString());
        Assert.Contains("'number'", create.GetProperty("description").GetString());
    }

    [Fact]
    public async Task RegisteringASubscription_WithoutASignedInCookie_IsRefused()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var subscription = pushService.Subscribe();

        var response = await client.PostAsJsonAsync("/security/push/subscriptions",
            new { endpoint = subscription.Endpoint, keys = new { p256dh = subscription.P256dh, auth = subscription.Auth } });

        Assert.False(response.IsSuccessStatusCode);
        Assert.Empty(await factory.Services.GetRequiredService<PushDevices>().ListAsync("nobody"));
    }

    private async Task<(string Email, string UserId, FakeSubscription Subscription)> UserWithDeviceAsync()
    {
        var email = $"push-{Guid.NewGuid():N}@example.com";
        var user = await factory.CreateUserAsync(email, "correct-horse-battery");
        var subscription = pushService.Subscribe();
        var added = await factory.Services.GetRequiredService<PushDevices>()
            .RegisterAsync(user.Id, new PushSubscriptionInput(subscription.Endpoint, subscription.P256dh, subscription.Auth), "Pixel 8", null, null);
        Assert.Equal(PushRegistrationOutcome.Added, added.Outcome);
        return (email, user.Id, subscription);
    }

    private async Task<HttpClient> ApiClientAsync(string name = "Push shop")
    {
        var created = await factory.Services.GetRequiredService<ApiClients>().CreateAsync(name, createdBy: null);
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return http;
    }

    private async Task<string> ReceivedTokenAsync(FakeSubscription subscription, string expectedBody)
    {
        var push = (await pushService.WaitAsync(r => r.Any(p => p.SubscriptionId == subscription.Id), TimeSpan.FromSeconds(30)))
            .Single(p => p.SubscriptionId == subscription.Id);
        Assert.Null(push.DecryptError);
        Assert.True(push.Vapid.Valid, push.Vapid.Error);
        using var payload = JsonDocument.Parse(push.Plaintext!);
        Assert.Equal(expectedBody, payload.RootElement.GetProperty("body").GetString());
        return payload.RootElement.GetProperty("url").GetString()!["/push/".Length..];
    }

    private static async Task<JsonElement> ReadAsync(HttpClient http, Guid id) =>
        await (await http.GetAsync($"/api/v1/verifications/{id}")).Content.ReadFromJsonAsync<JsonElement>();
}
