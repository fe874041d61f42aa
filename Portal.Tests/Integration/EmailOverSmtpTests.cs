using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>Registration mail leaves through MailKit to a real SMTP server, and its link confirms the account.</summary>
public sealed partial class EmailOverSmtpTests : IAsyncLifetime
{
    private readonly SmtpTestServer smtp = new();
    private TesseraFactory factory = default!;

    public Task InitializeAsync()
    {
        factory = new TesseraFactory()
            .With("Email:Transport", "Smtp")
            .With("Email:Smtp:Host", "127.0.0.1")
            .With("Email:Smtp:Port", smtp.Port.ToString())
            .With("Email:Smtp:Security", "None")
            .With("Email:From", "Tessera <no-reply@tessera.test>");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Register_SendsAConfirmationEmail_WhoseLinkConfirmsTheAccount()
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/Register");

        var registered = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = "new.user@example.com",
            ["Input.Password"] = "a fine long password",
            ["Input.ConfirmPassword"] = "a fine long password",
        }));
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        var refused = await SignIn.PostLoginAsync(client, "new.user@example.com", "a fine long password");
        Assert.Contains("Confirm your email address", await refused.Content.ReadAsStringAsync());

        var mail = await smtp.WaitForMessageToAsync("new.user@example.com", TimeSpan.FromSeconds(20));
        Assert.Equal("no-reply@tessera.test", mail.From.Mailboxes.Single().Address);
        var link = new Uri(LinkRegex().Match(mail.TextBody ?? "").Value);
        var confirmed = await client.GetAsync(link.PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("your email address is confirmed", await confirmed.Content.ReadAsStringAsync());
        await SignIn.SignInAsync(client, "new.user@example.com", "a fine long password");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/security")).StatusCode);
    }

    [Fact]
    public async Task ForgotPassword_EmailsALink_ThatSetsANewPasswordOnce()
    {
        await factory.CreateUserAsync("forgetful@example.com", "the old amber lantern");
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
        await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = "forgetful@example.com",
        }));
        var mail = await smtp.WaitForMessageToAsync("forgetful@example.com", TimeSpan.FromSeconds(20));
        var link = new Uri(ResetLinkRegex().Match(mail.TextBody ?? "").Value);

        var first = await ResetAsync(client, link, "the new violin kettle");
        var second = await ResetAsync(client, link, "another violin kettle");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.EndsWith("/Account/ResetPasswordConfirmation", first.Headers.Location!.ToString());
        Assert.EndsWith("/Account/InvalidPasswordReset", second.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await SignIn.PostLoginAsync(client, "forgetful@example.com", "the old amber lantern")).StatusCode);
        await SignIn.SignInAsync(client, "forgetful@example.com", "the new violin kettle");
    }

    [Fact]
    public async Task ForgotPassword_ForAnUnknownAddress_LooksTheSame_AndSendsNothing()
    {
        using var client = factory.CreateBrowserlessClient();
        var token = await SignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");

        var response = await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = "nobody@example.com",
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Account/ForgotPasswordConfirmation", response.Headers.Location!.ToString());
        await Assert.ThrowsAsync<TimeoutException>(() => smtp.WaitForMessageToAsync("nobody@example.com", TimeSpan.FromSeconds(3)));
    }

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, Uri link, string password) =>
        PasswordResetForm.SubmitAsync(client, link, "forgetful@example.com", password);

    [Fact]
    public async Task SentMessage_IsMarkedSent_AndItsBodyIsNotKept()
    {
        var queue = factory.Services.GetRequiredService<MessageQueue>();
        var id = await queue.EnqueueEmailAsync("kept@example.com", "Subject", "<p>secret link</p>", "secret link");
        factory.Services.GetRequiredService<IDeliveryTrigger>().Queued(id);

        await smtp.WaitForMessageToAsync("kept@example.com", TimeSpan.FromSeconds(20));
        var row = await Delivered.WaitForStatusAsync(factory.Services, id, MessageStatus.Sent, TimeSpan.FromSeconds(20));
        Assert.Equal("Smtp", row.Transport);
        Assert.Null(row.HtmlBody);
        Assert.Null(row.TextBody);
    }

    public async Task DisposeAsync()
    {
        factory.Dispose();
        await smtp.DisposeAsync();
    }

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\?\S+")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\?\S+")]
    private static partial Regex ResetLinkRegex();


}
