using System.ComponentModel.DataAnnotations;

namespace Tessera.Domain.Factors;

/// <summary>The <c>WebAuthn</c> section: who the relying party is, and what passkeys it accepts.</summary>
public sealed class WebAuthnOptions : IValidatableObject
{
    public const string Section = "WebAuthn";

    /// <summary>The relying party id: the host name passkeys are bound to, with no scheme or port.</summary>
    public string ServerDomain { get; set; } = "localhost";

    /// <summary>The name a browser or password manager shows next to a passkey.</summary>
    public string ServerName { get; set; } = "Tessera";

    /// <summary>
    /// Every origin a ceremony may come from (scheme, host and port), each on <see cref="ServerDomain"/> or below it.
    /// Empty (the default): the origin of <c>Tessera:PublicBaseUrl</c>, and in Development also every address the app
    /// listens on, so a changed port does not break passkeys.
    /// </summary>
    public List<string> Origins { get; set; } = [];

    [Range(30, 300, ErrorMessage = "WebAuthn:ChallengeTimeoutSeconds must be between 30 and 300.")]
    public int ChallengeTimeoutSeconds { get; set; } = 300;

    public bool RequireUserVerification { get; set; } = true;

    /// <summary>Authenticator models (AAGUIDs) that may be registered; empty means any.</summary>
    public List<Guid> AllowedAaguids { get; set; } = [];

    /// <summary>
    /// A FIDO Metadata Service BLOB on disk (the JWT from https://mds3.fidoalliance.org/); it must exist when set, and
    /// must verify against the FIDO root at start. With it and an allow-list, a new passkey must prove a certified model.
    /// </summary>
    public string? MetadataBlobPath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var domain = ServerDomain?.Trim() ?? "";
        if (domain.Length == 0 || Uri.CheckHostName(domain) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
        {
            yield return new ValidationResult(
                $"WebAuthn:ServerDomain is '{ServerDomain}'; it must be a host name such as login.example.com (no scheme, port or path).",
                [nameof(ServerDomain)]);
        }
        if (string.IsNullOrWhiteSpace(ServerName))
        {
            yield return new ValidationResult("WebAuthn:ServerName must not be empty.", [nameof(ServerName)]);
        }
        foreach (var origin in Origins ?? [])
        {
            if (OriginError(origin, domain) is { } error)
            {
                yield return new ValidationResult(error, [nameof(Origins)]);
            }
        }
        if (!string.IsNullOrWhiteSpace(MetadataBlobPath) && !File.Exists(MetadataBlobPath))
        {
            yield return new ValidationResult(
                $"WebAuthn:MetadataBlobPath is '{MetadataBlobPath}', and no such file exists.", [nameof(MetadataBlobPath)]);
        }
    }

    /// <summary>Why an origin can never pass a ceremony for this relying party id, or null when it can.</summary>
    public static string? OriginError(string? origin, string domain)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http")
            || uri.PathAndQuery != "/" || origin!.TrimEnd('/').Length != uri.GetLeftPart(UriPartial.Authority).Length)
        {
            return $"WebAuthn:Origins has '{origin}'; each entry must be an absolute origin such as https://login.example.com (no path).";
        }
        // A browser only signs for an RP id that is the origin's host or a parent of it; any other pair can never succeed.
        var host = uri.IdnHost;
        if (!string.Equals(host, domain, StringComparison.OrdinalIgnoreCase)
            && !host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            return $"WebAuthn:Origins has '{origin}', whose host is not WebAuthn:ServerDomain '{domain}' or below it.";
        }
        return null;
    }
}
