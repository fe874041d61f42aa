using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Delivery;

/// <summary>Identity's emails: queued in the database first, then delivered by a Hangfire job.</summary>
internal sealed class QueuedEmailSender(EmailOutbox outbox, IOptions<TesseraOptions> tessera) : IEmailSender<ApplicationUser>
{
    private string Product => tessera.Value.ApplicationName;

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        outbox.SendAsync(email, $"Confirm your {Product} account",
            $"Welcome to {Product}. Confirm your email address to finish creating your account:",
            "Confirm email", confirmationLink);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        outbox.SendAsync(email, $"Reset your {Product} password",
            "Someone asked to reset the password of your account. If it was you, choose a new password here. If not, ignore this email: your password stays as it is.",
            "Reset password", resetLink);

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        outbox.SendAsync(email, $"Your {Product} password reset code",
            $"Your password reset code is {resetCode}. If you did not ask for it, ignore this email.");
}
