using System.Net.Mail;
using Tessera.Domain.Challenges;
using Tessera.Domain.Factors.Phones;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>A validated, normalised destination: what Challenges needs to send a code.</summary>
internal sealed record ApiDestination(string Channel, string Address, string Masked, string? Region);

internal static class ApiDestinations
{
    public const int MaxLength = 254;

    /// <summary>Validates <paramref name="to"/> for the channel; records the problem on the body and returns null when it is not usable.</summary>
    public static ApiDestination? Parse(ApiRequestBody body, string channel, string to, string defaultRegion)
    {
        switch (channel)
        {
            case ChallengeChannels.Sms:
                if (!PhoneNumberParser.TryParse(to, defaultRegion, out var phone, out var error) || phone is null)
                {
                    body.AddError("to", error ?? "'to' is not a valid phone number.");
                    return null;
                }
                return new ApiDestination(channel, phone.E164, phone.Masked, phone.RegionCode);
            case ChallengeChannels.Email:
                if (NormalizeEmail(to) is not { } address)
                {
                    body.AddError("to", "'to' is not a valid email address, for example a@example.com.");
                    return null;
                }
                return new ApiDestination(channel, address, MaskEmail(address), null);
            default:
                body.AddError("channel", "'channel' must be \"sms\" or \"email\".");
                return null;
        }
    }

    /// <summary>A bare address (no display name, no comments, no spaces), with the domain lower-cased; null otherwise.</summary>
    public static string? NormalizeEmail(string input)
    {
        if (input.Length > MaxLength || input.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or '"'))
        {
            return null;
        }
        var at = input.LastIndexOf('@');
        if (at <= 0 || at > 64 || at == input.Length - 1 || input.IndexOf('@') != at)
        {
            return null;
        }
        var domain = input[(at + 1)..];
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains(".."))
        {
            return null;
        }
        try
        {
            var parsed = new MailAddress(input);
            // MailAddress accepts "Name <a@b>" and other forms; only the plain address itself is a destination.
            return parsed.Address == input ? $"{input[..at]}@{domain.ToLowerInvariant()}" : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>"alice@example.com" → "a•••@example.com": enough for the person to recognise, not enough to harvest.</summary>
    public static string MaskEmail(string address)
    {
        var at = address.LastIndexOf('@');
        var domain = address[(at + 1)..];
        // The masked form is stored with the challenge (64 characters at most): a very long domain keeps its end.
        return $"{address[..1]}•••@{(domain.Length > 56 ? "…" + domain[^55..] : domain)}";
    }
}
