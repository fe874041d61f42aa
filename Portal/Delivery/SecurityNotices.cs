using Microsoft.Extensions.Options;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Delivery;

/// <summary>Tells a user by email when a sign-in factor is added to or removed from their account.</summary>
public sealed class SecurityNotices(EmailOutbox outbox, IOptions<TesseraOptions> tessera)
{
    private string Product => tessera.Value.ApplicationName;

    public Task FactorAddedAsync(string email, string factor, string name) =>
        outbox.SendAsync(email, $"A sign-in factor was added to your {Product} account",
            $"{factor} \"{name}\" was added to your account. If this wasn't you, sign in, remove it from your security center and change your password.");

    public Task FactorRemovedAsync(string email, string factor, string name) =>
        outbox.SendAsync(email, $"A sign-in factor was removed from your {Product} account",
            $"{factor} \"{name}\" was removed from your account. If this wasn't you, sign in and check your security center at once.");

    public Task RecoveryCodesRegeneratedAsync(string email) =>
        outbox.SendAsync(email, $"New {Product} recovery codes",
            "A new set of recovery codes was created for your account; the old codes no longer work. If this wasn't you, sign in and check your security center.");

    public Task SecondFactorsResetAsync(string email) =>
        outbox.SendAsync(email, $"Your {Product} sign-in factors were reset",
            "An administrator removed your authenticator apps, passkeys, phone numbers and recovery codes, so you now sign in with your password alone. Sign in and add a factor again in your security center. If you did not ask for this, change your password and contact your administrator.");
}
