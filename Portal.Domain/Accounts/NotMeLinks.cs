using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using System.Buffers.Text;
using System.Text;
using Tessera.Domain.Persistence;
using Tessera.Domain.Policies;

namespace Tessera.Domain.Accounts;

/// <summary>A redeemed "This wasn't me" link: whose account, and which email it came from.</summary>
/// <param name="RestoreEmail">For a notice of an email change, the address it was sent to: the one to give back.</param>
public sealed record NotMeClaim(string UserId, string About, string? RestoreEmail = null);

/// <summary>
/// The "This wasn't me" links of the security emails: signed (a Data Protection token every node can read), valid
/// for seven days, and good once, counted in the database like step-up proofs, so a forwarded or replayed link
/// cannot sign the owner out again and again.
/// </summary>
public sealed class NotMeLinks(IDataProtectionProvider protection, AttemptCounters counters, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>The page the links open: it asks before it acts (mail scanners open links too).</summary>
    public const string Path = "/Account/NotMe";

    private const string UsedRule = "not-me-used";

    private readonly IDataProtector protector = protection.CreateProtector("Tessera.Accounts.NotMeLinks");

    /// <param name="about">Which notice it came with, for the audit log ("password-changed", "factor-added"...).</param>
    /// <param name="restoreEmail">
    /// The address the notice goes to when it tells of an email change: following the link gives the account back to it
    /// (encrypted in the link, never in the audit log).
    /// </param>
    public string Issue(string userId, string about, string? restoreEmail = null)
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var expires = Instants.ToMicroseconds(time.GetUtcNow() + Lifetime);
        var restore = restoreEmail is null ? "" : "|" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(restoreEmail));
        return Base64Url.EncodeToString(protector.Protect(Encoding.UTF8.GetBytes($"{id}|{userId}|{about}|{expires}{restore}")));
    }

    /// <summary>Whose link it is, without spending it (for the page that asks); null for a forged or expired one.</summary>
    public NotMeClaim? Read(string? token) => Parse(token) is { } link ? new NotMeClaim(link.UserId, link.About, link.Restore) : null;

    /// <summary>The link's claim, the first time only, within its seven days; null for anything else.</summary>
    public async Task<NotMeClaim?> RedeemAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (Parse(token) is not { } link)
        {
            return null;
        }
        return await counters.CountUseAsync(UsedRule, link.Id, link.Expires, cancellationToken) == 1
            ? new NotMeClaim(link.UserId, link.About, link.Restore)
            : null;
    }

    private (string Id, string UserId, string About, DateTimeOffset Expires, string? Restore)? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }
        string payload;
        try
        {
            payload = Encoding.UTF8.GetString(protector.Unprotect(Base64Url.DecodeFromChars(token)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length is not (4 or 5) || !long.TryParse(parts[3], out var microseconds))
        {
            return null;
        }
        var expires = Instants.FromMicroseconds(microseconds);
        var restore = parts.Length == 5 ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[4])) : null;
        return time.GetUtcNow() > expires ? null : (parts[0], parts[1], parts[2], expires, restore);
    }
}
