using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Audit;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <param name="ProductName">How the emails name the service, for example "Tessera".</param>
/// <param name="PublicBaseUrl">Where the "This wasn't me" links point (Tessera:PublicBaseUrl), asked when a notice is sent.</param>
public sealed record SecurityNoticeSettings(string ProductName, Func<string>? PublicBaseUrl = null);

/// <summary>
/// Tells a user by email when something that protects their account changed: a password changed or reset, the email
/// address changed, a lockout, a factor added or removed, new recovery codes, an administrator's lock, grant or
/// reset, other sessions signed out, a QR sign-in they did not start. Each carries a "This wasn't me" link
/// (<see cref="NotMeLinks"/>) and is audited. Queued in the database (Delivery), so a crash loses none; addressed by
/// user id, so callers never carry the address around.
/// </summary>
public sealed class SecurityNotices(
    IDbContextFactory<PortalDbContext> dbFactory, MessageQueue queue, IDeliveryTrigger trigger, NotMeLinks links, AuditLog audit,
    SecurityNoticeSettings settings)
{
    public const string Purpose = "security-notice";

    private string Product => settings.ProductName;

    /// <param name="factor">The factor as a sentence starts, for example "The authenticator app".</param>
    public Task FactorAddedAsync(string userId, string factor, string name, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "factor-added", $"A sign-in factor was added to your {Product} account",
            $"{factor} \"{name}\" was added to your account.", cancellationToken);

    public Task FactorRemovedAsync(string userId, string factor, string name, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "factor-removed", $"A sign-in factor was removed from your {Product} account",
            $"{factor} \"{name}\" was removed from your account.", cancellationToken);

    public Task RecoveryCodesRegeneratedAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "recovery-codes", $"New {Product} recovery codes",
            "A new set of recovery codes was created for your account; the old codes no longer work.", cancellationToken);

    public Task SecondFactorsResetAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "factors-reset", $"Your {Product} sign-in factors were reset",
            "An administrator removed your authenticator apps, passkeys, phone numbers and recovery codes, so you now sign in with your password alone. Sign in and add a factor again in your security center.",
            cancellationToken);

    public Task PasswordChangedAsync(string userId, bool otherSessionsSignedOut, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "password-changed", $"Your {Product} password was changed",
            "The password of your account was changed." + (otherSessionsSignedOut ? " Every other browser was signed out." : ""), cancellationToken);

    public Task PasswordResetAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "password-reset", $"Your {Product} password was reset",
            "The password of your account was reset with a link sent to this address, and every browser was signed out.", cancellationToken);

    /// <summary>Sent to the address being replaced: its owner must hear of the change before it takes effect.</summary>
    public Task EmailChangeRequestedAsync(string userId, string oldAddress, string newMasked, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "email-change-requested", $"Your {Product} email address is being changed",
            $"Someone signed in to your account asked to change its email address to {newMasked}. It changes only once the link sent there is followed; until then this address stays in force.",
            cancellationToken, to: oldAddress, restoreTo: oldAddress);

    public Task EmailChangedAsync(string userId, string oldAddress, string newMasked, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "email-changed", $"Your {Product} email address was changed",
            $"The email address of your account is now {newMasked}; this address no longer signs in. If this wasn't you, the link below gives the account back to this address.",
            cancellationToken, to: oldAddress, restoreTo: oldAddress);

    /// <summary>
    /// Failed attempts locked the account: everywhere (the daily ceiling), for the network the guesses came from (wrong
    /// passwords: the owner's own networks still work), or for the steps after the password (wrong codes).
    /// </summary>
    /// <param name="network">The network of wrong passwords (<c>Contacts.Networks.Of</c>); null for the other two.</param>
    public Task AccountLockedAsync(string userId, DateTimeOffset until, string? network, bool everywhere, CancellationToken cancellationToken = default)
    {
        var when = $"{until.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        var what = everywhere
            ? $"After too many failed sign-in attempts from several places, your account is locked everywhere until {when}."
            : network is not null
                ? $"After too many wrong passwords from {(network == "unknown" ? "a network we could not tell" : $"the network {network}")}, signing in from that network is locked until {when}. You can still sign in from your usual networks."
                : $"After too many wrong codes at the second step of signing in, your account is locked until {when}.";
        return SendAsync(userId, "locked-failed-attempts", $"Your {Product} account was locked",
            network is null && !everywhere
                ? $"{what} If you did not try to sign in, someone else knows your password: choose a new one."
                : $"{what} If you did not try to sign in, someone else may know your address or be guessing your password.",
            cancellationToken);
    }

    public Task LockedByAdministratorAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "locked-by-admin", $"Your {Product} account was locked",
            "An administrator locked your account and signed it out everywhere. It stays locked until an administrator unlocks it.", cancellationToken);

    public Task SignedOutByAdministratorAsync(string userId, int count, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "signed-out-by-admin", $"An administrator signed your {Product} account out everywhere",
            $"An administrator ended every session of your account ({count} {(count == 1 ? "session" : "sessions")}), and every remembered browser must give its second factor again. Sign in again to carry on.",
            cancellationToken);

    public Task AdminGrantedAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "admin-granted", $"You are now a {Product} administrator",
            "An administrator gave your account the Admin role: it can now manage users, policies and keys.", cancellationToken);

    public Task OtherSessionsSignedOutAsync(string userId, int count, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "sessions-signed-out", $"Your other {Product} sessions were signed out",
            $"{count} other {(count == 1 ? "browser was" : "browsers were")} signed out of your account.", cancellationToken);

    /// <summary>A successful sign-in from a device or a country not seen for this user before.</summary>
    /// <param name="place">"near Stockholm, SE", or null when GeoIP could not tell.</param>
    public Task NewSignInAsync(string userId, string device, string? place, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "new-sign-in", $"New sign-in to your {Product} account",
            $"New sign-in to your account: {device}, {place ?? "from a place we could not tell"}, at {at.UtcDateTime:HH:mm} UTC on {at.UtcDateTime:yyyy-MM-dd}. If it was you, there is nothing to do.",
            cancellationToken);

    public Task QrSignInNotMeAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "qr-not-me", $"A {Product} sign-in you did not start",
            "You told us that someone showed you a sign-in QR code that was not yours. It was refused. Someone may be trying to get into your account by tricking you into approving it.",
            cancellationToken);

    public Task PushNotMeAsync(string userId, string? device, string? place, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "push-not-me", $"A {Product} sign-in you did not start",
            $"You told us that a sign-in request pushed to your device was not yours ({device ?? "an unknown browser"}, {place ?? "from a place we could not tell"}). It was refused. "
            + "Whoever started it knows your password: change it now, and sign out everywhere from your security center.",
            cancellationToken);

    /// <summary>The last email of an erased account: sent to the address it had, with no link (there is nothing to undo).</summary>
    public Task AccountDeletedAsync(string userId, string address, bool byAdministrator, CancellationToken cancellationToken = default) =>
        SendAsync(userId, "account-deleted", $"Your {Product} account was deleted",
            (byAdministrator ? "An administrator deleted your account." : "Your account was deleted, as you asked.")
            + " Its sign-in methods, phone numbers, sessions and pending codes are gone, and its activity no longer names you. This is the last email you will get from us.",
            cancellationToken, to: address, notMeLink: false);

    /// <param name="restoreTo">An address "This wasn't me" gives the account back to (the one an email change replaced).</param>
    private async Task SendAsync(
        string userId, string about, string subject, string text, CancellationToken cancellationToken, string? to = null, bool notMeLink = true, string? restoreTo = null)
    {
        string? email = to;
        if (email is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        }
        if (string.IsNullOrEmpty(email))
        {
            return;
        }
        string html, plain;
        if (notMeLink)
        {
            var origin = (settings.PublicBaseUrl?.Invoke() ?? "http://localhost").TrimEnd('/');
            var link = $"{origin}{NotMeLinks.Path}?token={links.Issue(userId, about, restoreTo)}";
            const string Prompt = "If this wasn't you, sign out everywhere and choose a new password:";
            html = $"<p>{WebUtility.HtmlEncode(text)}</p><p>{WebUtility.HtmlEncode(Prompt)} <a href=\"{WebUtility.HtmlEncode(link)}\">This wasn't me</a> (the link works once, for 7 days).</p>";
            plain = $"{text}\n\n{Prompt}\nThis wasn't me: {link}\n(The link works once, for 7 days.)";
        }
        else
        {
            (html, plain) = ($"<p>{WebUtility.HtmlEncode(text)}</p>", text);
        }
        var id = await queue.EnqueueEmailAsync(email, subject, html, plain, Purpose, cancellationToken);
        trigger.Queued(id);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.SecurityNoticeSent, AuditOutcome.Success, null, userId, Detail: $"notice={about}; message={id}"), cancellationToken);
    }
}
