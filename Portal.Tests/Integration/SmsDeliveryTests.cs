using System.Text;
using System.Text.Json;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Portal.Tests.Support;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Integration;

/// <summary>Codes by SMS through a real HTTP provider in the test process: the request each adapter sends, and faults.</summary>
public sealed class SmsDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private FakeSmsProvider sms = null!;
    private TesseraFactory? factory;

    public async Task InitializeAsync() => sms = await FakeSmsProvider.StartAsync();

    public async Task DisposeAsync()
    {
        factory?.Dispose();
        await sms.DisposeAsync();
    }

    [Fact]
    public async Task Gateway_GetsJsonWithTheAuthHeaderIdempotencyKeyAndWebOtpLine()
    {
        factory = Gateway(new TesseraFactory());

        var created = await SendCodeAsync(factory);

        var request = (await sms.WaitAsync(r => r.Count >= 1, Wait))[0];
        Assert.Equal("POST", request.Method);
        Assert.Equal("/sms/send", request.Path);
        Assert.Equal("test-key", request.Header("X-Api-Key"));
        Assert.Equal(created.MessageId.ToString(), request.Header("Idempotency-Key"));
        Assert.StartsWith("application/json", request.ContentType);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("+447700900123", json.RootElement.GetProperty("to").GetString());
        Assert.Equal(created.MessageId.ToString(), json.RootElement.GetProperty("reference").GetString());
        Assert.Matches(@"\n@localhost #\d{6}$", json.RootElement.GetProperty("text").GetString());
        var sent = await Delivered.WaitForStatusAsync(factory.Services, created.MessageId, MessageStatus.Sent, Wait);
        Assert.Equal("Gateway", sent.Transport);
        Assert.Null(sent.TextBody);
    }

    [Fact]
    public async Task Twilio_GetsTheMessagesApiFormWithBasicAuth()
    {
        factory = new TesseraFactory()
            .With("Delivery:Sms:Provider", "Twilio")
            .With("Delivery:Sms:Twilio:BaseUrl", sms.BaseUrl.ToString())
            .With("Delivery:Sms:Twilio:AccountSid", "AC0123")
            .With("Delivery:Sms:Twilio:AuthToken", "twilio-token")
            .With("Delivery:Sms:Twilio:From", "+15005550006");

        var created = await SendCodeAsync(factory);

        var request = (await sms.WaitAsync(r => r.Count >= 1, Wait))[0];
        Assert.Equal("POST", request.Method);
        Assert.Equal("/2010-04-01/Accounts/AC0123/Messages.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC0123:twilio-token")), request.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType);
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body);
        Assert.Equal("+447700900123", form["To"].ToString());
        Assert.Equal("+15005550006", form["From"].ToString());
        Assert.Matches(@"\n@localhost #\d{6}$", form["Body"].ToString());
        Assert.Equal("Twilio", (await Delivered.WaitForStatusAsync(factory.Services, created.MessageId, MessageStatus.Sent, Wait)).Transport);
    }

    [Fact]
    public async Task Gateway_Answers500TwiceThen200_DeliveredOnTheThirdAttempt_WithEveryAttemptRecorded()
    {
        sms.Respond = (_, count) => count <= 2 ? 500 : 200;
        factory = Gateway(new TesseraFactory());

        var created = await SendCodeAsync(factory);

        await Delivered.WaitForStatusAsync(factory.Services, created.MessageId, MessageStatus.Sent, Wait);
        var attempts = await Delivered.AttemptsAsync(factory.Services, created.MessageId);
        Assert.Equal([DeliveryOutcomes.Failed, DeliveryOutcomes.Failed, DeliveryOutcomes.Sent], attempts.Select(a => a.Outcome));
        Assert.All(attempts, a => Assert.Equal((Channel.Sms, "Gateway"), (a.Channel, a.Provider)));
        Assert.Equal("Gateway: HTTP 500 Internal Server Error.", attempts[0].Error);
        Assert.Equal(3, sms.Requests.Count);
        var views = await factory.Services.GetRequiredService<MessageQueue>().GetByReferenceAsync($"challenge:{created.ChallengeId:N}");
        Assert.Equal(3, Assert.Single(views).Attempts.Count);
    }

    [Fact]
    public async Task Gateway_DownForGood_TheCodeArrivesByEmailOverSmtp()
    {
        await using var smtp = new SmtpTestServer();
        factory = Gateway(new TesseraFactory(), new Uri($"http://127.0.0.1:{PortalProcess.FreePort()}/sms/send"))
            .With("Email:Transport", "Smtp")
            .With("Email:Smtp:Host", "127.0.0.1")
            .With("Email:Smtp:Port", smtp.Port.ToString())
            .With("Email:Smtp:Security", "None");

        var created = await SendCodeAsync(factory, fallbackEmail: "fallback@example.com");

        var mail = await smtp.WaitForMessageToAsync("fallback@example.com", Wait);
        Assert.Matches(@"code is \d{6}\.", mail.TextBody);
        var message = await Delivered.WaitForStatusAsync(factory.Services, created.MessageId, MessageStatus.Sent, Wait);
        Assert.Equal((Channel.Email, "Smtp"), (message.CurrentKind, message.Transport));
        var attempts = await Delivered.AttemptsAsync(factory.Services, created.MessageId);
        Assert.Equal([Channel.Sms, Channel.Sms, Channel.Sms, Channel.Sms, Channel.Sms, Channel.Email], attempts.Select(a => a.Channel));
        Assert.Contains("unreachable", attempts[0].Error);
    }

    [Fact]
    public async Task AppStoppedWithMessagesQueued_DeliversEachOnceAfterRestart()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        sms.Respond = (_, _) => 503;
        var ids = new List<Guid>();
        using (var first = Gateway(new TesseraFactory()).With("Tessera:DataDirectory", data))
        {
            for (var i = 0; i < 20; i++)
            {
                ids.Add((await SendCodeAsync(first, destination: $"+4477009001{i:00}")).MessageId);
            }
            // Every message has been tried at least once and is waiting for a retry when the app stops.
            await sms.WaitAsync(r => ids.All(id => r.Any(x => x.Header("Idempotency-Key") == id.ToString())), Wait);
        }
        sms.Respond = (_, _) => 200;

        factory = Gateway(new TesseraFactory()).With("Tessera:DataDirectory", data);
        _ = factory.Services;

        foreach (var id in ids)
        {
            await Delivered.WaitForStatusAsync(factory.Services, id, MessageStatus.Sent, Wait);
        }
        var accepted = sms.Answered.Where(a => a.Status == 200).GroupBy(a => a.Request.Header("Idempotency-Key")).ToList();
        Assert.Equal(ids.Select(i => i.ToString()).Order(), accepted.Select(g => g.Key).Order());
        Assert.All(accepted, g => Assert.Single(g));
    }

    private TesseraFactory Gateway(TesseraFactory factory, Uri? url = null) => factory
        .With("Delivery:Sms:Provider", "Gateway")
        .With("Delivery:Sms:Gateway:Url", (url ?? new Uri(sms.BaseUrl, "/sms/send")).ToString())
        .With("Delivery:Sms:Gateway:AuthHeaderName", "X-Api-Key")
        .With("Delivery:Sms:Gateway:AuthHeaderValue", "test-key")
        .With("Delivery:Sms:Timeout", "00:00:05")
        .With("Delivery:RetryDelays:0", "00:00:01")
        .With("Delivery:RetryDelays:1", "00:00:01")
        .With("Delivery:RetryDelays:2", "00:00:01")
        .With("Delivery:RetryDelays:3", "00:00:01");

    private static Task<ChallengeCreated> SendCodeAsync(TesseraFactory factory, string destination = "+447700900123", string? fallbackEmail = null)
    {
        var challenges = factory.Services.GetRequiredService<Challenges>();
        var texts = factory.Services.GetRequiredService<ChallengeTexts>();
        return challenges.CreateAsync(new ChallengeRequest("sign-in", ChallengeBinding.ForClient("sms-tests"), Channel.Sms,
            destination, "+44 •••• ••• 123", texts.For("sign-in", Channel.Sms), "GB", FallbackEmail: fallbackEmail));
    }
}
