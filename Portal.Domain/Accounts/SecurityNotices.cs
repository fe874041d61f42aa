using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.Accounts;

/// <param name="ProductName">How the emails name the service, for example "Tessera".</param>
public sealed record SecurityNoticeSettings(string ProductName);

/// <summary>
/// Tells a user by email when something that protects their account changed: a sign-in factor added or removed,
/// new recovery codes, an administrator's reset. Queued in the database (Delivery), so a crash loses none; addressed
/// by user id, so callers never carry the address around.
/// </summary>
public sealed class SecurityNotices(IDbContextFactory<PortalDbContext> dbFactory, MessageQueue queue, IDeliveryTrigger trigger, SecurityNoticeSettings settings)
{
    public const string Purpose = "security-notice";

    private string Product => settings.ProductName;

    /// <param name="factor">The factor as a sentence starts, for example "The authenticator app".</param>
    public Task FactorAddedAsync(string userId, string factor, string name, CancellationToken cancellationToken = default) =>
        SendAsync(userId, $"A sign-in factor was added to your {Product} account",
            $"{factor} \"{name}\" was added to your account. If this wasn't you, sign in, remove it from your security center and change your password.",
            cancellationToken);

    public Task FactorRemovedAsync(string userId, string factor, string name, CancellationToken cancellationToken = default) =>
        SendAsync(userId, $"A sign-in factor was removed from your {Product} account",
            $"{factor} \"{name}\" was removed from your account. If this wasn't you, sign in and check your security center at once.",
            cancellationToken);

    public Task RecoveryCodesRegeneratedAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, $"New {Product} recovery codes",
            "A new set of recovery codes was created for your account; the old codes no longer work. If this wasn't you, sign in and check your security center.",
            cancellationToken);

    public Task SecondFactorsResetAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(userId, $"Your {Product} sign-in factors were reset",
            "An administrator removed your authenticator apps, passkeys, phone numbers and recovery codes, so you now sign in with your password alone. Sign in and add a factor again in your security center. If you did not ask for this, change your password and contact your administrator.",
            cancellationToken);

    private async Task SendAsync(string userId, string subject, string text, CancellationToken cancellationToken)
    {
        string? email;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        }
        if (string.IsNullOrEmpty(email))
        {
            return;
        }
        var id = await queue.EnqueueEmailAsync(email, subject, $"<p>{WebUtility.HtmlEncode(text)}</p>", text, Purpose, cancellationToken);
        trigger.Queued(id);
    }
}
