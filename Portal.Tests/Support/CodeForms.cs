using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Support;

/// <summary>The second-step code forms driven over HTTP: press "Email me a code", read it from the outbox, enter it.</summary>
public static partial class CodeForms
{
    /// <summary>Presses the send button for <paramref name="target"/> on the second-step page; returns the code page it leads to.</summary>
    public static async Task<Uri> SendAsync(HttpClient client, Uri secondStep, string target)
    {
        var html = await client.GetStringAsync(secondStep);
        var form = SendFormRegex().Matches(html).SingleOrDefault(m => WebUtility.HtmlDecode(m.Groups["target"].Value) == target);
        Assert.True(form is not null, $"No send form for {target} on the second-step page.");
        var response = await client.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups["token"].Value),
            ["Send.Target"] = target,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(client.BaseAddress!, response.Headers.Location!);
    }

    public static async Task<HttpResponseMessage> EnterAsync(HttpClient client, Uri codePage, string code)
    {
        var html = await client.GetStringAsync(codePage);
        return await client.PostAsync(codePage, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login-code",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenRegex().Match(html).Groups[1].Value),
            ["Input.Target"] = WebUtility.HtmlDecode(TargetRegex().Match(html).Groups[1].Value),
            ["Input.Code"] = code,
        }));
    }

    /// <summary>The code of the latest sign-in email to <paramref name="email"/>, once the delivery job has sent it.</summary>
    public static async Task<string> EmailedCodeAsync(TesseraFactory factory, string email)
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        for (var i = 0; i < 150; i++)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var body = (await db.OutboundMessages.AsNoTracking()
                .Where(m => m.Reference != null && m.Reference.StartsWith("challenge:") && m.Status == Tessera.Domain.Delivery.MessageStatus.Sent)
                .ToListAsync()).Where(m => m.Recipient == email).Select(m => m.TextBody).LastOrDefault();
            if (body is not null)
            {
                return EmailCodeRegex().Match(body).Groups[1].Value;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"No code was emailed to {email}.");
        return "";
    }

    [GeneratedRegex(@"code is (\d{6,10})")]
    private static partial Regex EmailCodeRegex();

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]+)\"[^>]*>\\s*<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"[^>]*>\\s*<input type=\"hidden\" name=\"_handler\" value=\"send-code\"[^>]*>\\s*<input type=\"hidden\" name=\"Send.Target\" value=\"(?<target>[^\"]+)\"")]
    private static partial Regex SendFormRegex();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    [GeneratedRegex("name=\"Input.Target\" value=\"([^\"]+)\"")]
    private static partial Regex TargetRegex();
}
