using Tessera.Domain.Contacts;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>A validated, normalised destination: what Challenges needs to send a code.</summary>
internal sealed record ApiDestination(Channel Channel, string Address, string Masked, string? Region);

internal static class ApiDestinations
{
    public const int MaxLength = EmailAddresses.MaxLength;

    /// <summary>Validates <paramref name="to"/> for the channel; records the problem on the body and returns null when it is not usable.</summary>
    public static ApiDestination? Parse(ApiRequestBody body, Channel channel, string to, string defaultRegion)
    {
        switch (channel)
        {
            case Channel.Sms:
                if (!PhoneNumberParser.TryParse(to, defaultRegion, out var phone, out var error) || phone is null)
                {
                    body.AddError("to", error ?? "'to' is not a valid phone number.");
                    return null;
                }
                return new ApiDestination(channel, phone.E164, phone.Masked, phone.RegionCode);
            case Channel.Email or Channel.Push:
                // For push: the email of the Tessera user whose push devices get the request.
                if (EmailAddresses.Normalize(to) is not { } address)
                {
                    body.AddError("to", "'to' is not a valid email address, for example a@example.com.");
                    return null;
                }
                return new ApiDestination(channel, address, EmailAddresses.Mask(address), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(channel), channel, "A channel without destinations.");
        }
    }
}
