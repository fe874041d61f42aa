using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Contacts;
using Tessera.Domain.Policies;
using Microsoft.Extensions.Options;
using Tessera.Portal.Delivery;
using Tessera.Portal.Hosting;
using Tessera.Portal.Http;

namespace Tessera.Portal.Components.Account;

/// <summary>
/// Builds the emailed links of the Identity pages (confirm email, reset password) and sends them. The links start
/// with the configured public address, never the request's Host: a forged Host must not receive a victim's token.
/// </summary>
internal sealed class AccountLinks(
    UserManager<ApplicationUser> users, IEmailSender<ApplicationUser> sender, PublicUrls urls, EmailOutbox outbox, IOptions<TesseraOptions> tessera,
    ISendLimiter limiter, AuditLog audit)
{
    /// <summary>
    /// Account emails are limited like codes, per mailbox (lower-cased, "+tag" dropped) and per network, so nobody can
    /// flood an inbox through "forgot password" or "resend confirmation". A refused email is audited and not sent; the
    /// page answers the same either way.
    /// </summary>
    private async Task<bool> MaySendAsync(string address, string? userId, string? clientIp, string purpose)
    {
        var decision = await limiter.CheckAsync(new SendAttempt(Channel.Email, EmailAddresses.MailboxKey(address), null, userId, null, Networks.Of(clientIp)));
        if (!decision.Allowed)
        {
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.AccountEmailRefused, AuditOutcome.Failure, null, userId,
                Detail: $"email={purpose}; rule={decision.Rule}"));
        }
        return decision.Allowed;
    }

    public async Task SendConfirmationAsync(ApplicationUser user, string? returnUrl = null, string? clientIp = null)
    {
        if (!await MaySendAsync(user.Email!, user.Id, clientIp, "confirmation"))
        {
            return;
        }
        var token = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = QueryHelpers.AddQueryString(urls.Absolute("Account/ConfirmEmail"), new Dictionary<string, string?>
        {
            ["userId"] = user.Id,
            ["code"] = token,
            ["returnUrl"] = string.IsNullOrEmpty(returnUrl) ? null : ReturnUrls.LocalOrDefault(returnUrl),
        });
        await sender.SendConfirmationLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    public async Task SendPasswordResetAsync(ApplicationUser user, string? clientIp = null)
    {
        if (!await MaySendAsync(user.Email!, user.Id, clientIp, "password-reset"))
        {
            return;
        }
        var token = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = QueryHelpers.AddQueryString(urls.Absolute("Account/ResetPassword"), "code", token);
        await sender.SendPasswordResetLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    /// <summary>The link that makes <paramref name="newAddress"/> the account's address, sent to that address only.</summary>
    public async Task SendEmailChangeAsync(string userId, string newAddress, string token, string? clientIp = null)
    {
        if (!await MaySendAsync(newAddress, userId, clientIp, "email-change"))
        {
            return;
        }
        var link = QueryHelpers.AddQueryString(urls.Absolute("Account/ConfirmEmailChange"), new Dictionary<string, string?>
        {
            ["userId"] = userId,
            ["email"] = newAddress,
            ["code"] = Encode(token),
        });
        var product = tessera.Value.ApplicationName;
        await outbox.SendAsync(newAddress, $"Confirm your new {product} email address",
            $"Follow this link to make this address the one your {product} account uses. It works once, within 24 hours. If you did not ask for this, ignore this email: nothing changes.",
            "Confirm this address", HtmlEncoder.Default.Encode(link));
    }

    /// <summary>Someone registered with an address that already has an account: its owner is told, the page says nothing.</summary>
    /// <summary>
    /// Tells the owner that someone tried to register their address: limited like every account email, so registering
    /// a known address over and over cannot flood its inbox. Refused, it is audited and not sent.
    /// </summary>
    public async Task SendAlreadyRegisteredAsync(ApplicationUser owner, string? clientIp = null)
    {
        if (owner.Email is not { } email || !await MaySendAsync(email, owner.Id, clientIp, "already-registered"))
        {
            return;
        }
        var product = tessera.Value.ApplicationName;
        await outbox.SendAsync(email, $"Someone tried to create a {product} account with your address",
            $"Someone, maybe you, tried to create a new {product} account with this email address, which already has one. Nothing was changed. "
            + "If it was you, sign in with your password, or choose a new one if you have forgotten it. If it wasn't you, you can ignore this email.",
            "Choose a new password", HtmlEncoder.Default.Encode(urls.Absolute("Account/ForgotPassword")));
    }

    /// <summary>Decodes a token from a link; null when the link was mangled (a clear error, not a 500).</summary>
    public static string? TryDecode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
}
