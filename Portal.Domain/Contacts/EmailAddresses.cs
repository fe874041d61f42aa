using System.Net.Mail;

namespace Tessera.Domain.Contacts;

/// <summary>Email addresses as destinations: one validation and normalisation, one mask.</summary>
public static class EmailAddresses
{
    /// <summary>The longest address SMTP carries (RFC 5321's path limit less the angle brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>A bare address (no display name, no comments, no spaces), with the domain lower-cased; null otherwise.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrEmpty(input) || input.Length > MaxLength
            || input.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or '"'))
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

    /// <summary>
    /// The mailbox an address reaches, for counting only (limits, never sending): the whole address lower-cased and a
    /// "+tag" dropped, so "Bob@x.com", "bob@x.com" and "bob+1@x.com" count as one inbox.
    /// </summary>
    public static string MailboxKey(string address)
    {
        var lowered = address.Trim().ToLowerInvariant();
        var at = lowered.LastIndexOf('@');
        if (at <= 0)
        {
            return lowered;
        }
        var local = lowered[..at];
        var plus = local.IndexOf('+');
        return (plus > 0 ? local[..plus] : local) + lowered[at..];
    }

    /// <summary>"alice@example.com" → "a•••@example.com": enough for the person to recognise, not enough to harvest.</summary>
    public static string Mask(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        if (address is null || at <= 0)
        {
            return "•••";
        }
        var domain = address[(at + 1)..];
        // Masked forms are stored with challenges and messages (64 characters at most): a very long domain keeps its end.
        return $"{address[..1]}•••@{(domain.Length > 56 ? "…" + domain[^55..] : domain)}";
    }
}
