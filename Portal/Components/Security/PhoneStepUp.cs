namespace Tessera.Portal.Components.Security;

/// <summary>
/// Which second factors the user already has. With any of them, adding or removing a phone first asks them to prove
/// it is them (password, another factor's code or a passkey), so a stolen session cannot swap in its own phone.
/// </summary>
public sealed record PhoneStepUp(bool HasAuthenticator, bool HasPasskey, bool HasVerifiedPhone)
{
    public static readonly PhoneStepUp None = new(false, false, false);

    public bool Required => HasAuthenticator || HasPasskey || HasVerifiedPhone;
}
