using System.Text.Encodings.Web;
using Hangfire;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Delivery;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Delivery;

/// <summary>Identity's emails: queued in the database first, then delivered by a Hangfire job.</summary>
internal sealed class QueuedEmailSender(MessageQueue queue, IBackgroundJobClient jobs, IOptions<TesseraOptions> tessera)
    : IEmailSender<ApplicationUser>
{
    private string Product => tessera.Value.ApplicationName;

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(email, $"Confirm your {Product} account",
            $"Welcome to {Product}. Confirm your email address to finish creating your account:",
            "Confirm email", confirmationLink);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(email, $"Reset your {Product} password",
            "Someone asked to reset the password of your account. If it was you, choose a new password here. If not, ignore this email: your password stays as it is.",
            "Reset password", resetLink);

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(email, $"Your {Product} password reset code",
            $"Your password reset code is {resetCode}. If you did not ask for it, ignore this email.", null, null);

    /// <param name="link">Already HTML-encoded by the Identity pages that build it.</param>
    private async Task SendAsync(string to, string subject, string text, string? linkText, string? link)
    {
        var html = HtmlEncoder.Default.Encode(text);
        var plain = text;
        if (link is not null)
        {
            html += $"<p><a href=\"{link}\">{HtmlEncoder.Default.Encode(linkText!)}</a></p>";
            plain += $"\n\n{System.Net.WebUtility.HtmlDecode(link)}\n";
        }
        var id = await queue.EnqueueEmailAsync(to, subject, $"<p>{html}</p>", plain);
        jobs.Enqueue<EmailDeliveryJob>(job => job.DeliverAsync(id, CancellationToken.None));
    }
}
