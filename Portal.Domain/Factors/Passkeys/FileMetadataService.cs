using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Fido2NetLib;

namespace Tessera.Domain.Factors;

/// <summary>
/// The FIDO metadata of authenticator models, from the BLOB at WebAuthn:MetadataBlobPath, verified when loaded.
/// Fido2 asks it for a registering model's entry (to check the attestation chain against the model's roots and to
/// refuse an undesired status); registration and the passkey list ask it whether a model is certified, and its name.
/// </summary>
public sealed class FileMetadataService : IMetadataService
{
    private readonly FrozenDictionary<Guid, MetadataBLOBPayloadEntry> entries;

    private FileMetadataService(MetadataBLOBPayload? blob)
    {
        HasBlob = blob is not null;
        Number = blob?.Number;
        NextUpdate = DateOnly.TryParseExact(blob?.NextUpdate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var next)
            ? next
            : null;
        // The all-zero AAGUID names no model (many keys and every U2F key report it), so it never matches an entry.
        // A signed BLOB lists a model once; should it list one twice, the first entry stands.
        entries = (blob?.Entries ?? [])
            .Where(e => e?.AaGuid is { } aaguid && aaguid != Guid.Empty)
            .GroupBy(e => e.AaGuid!.Value)
            .ToFrozenDictionary(g => g.Key, g => g.First());
    }

    /// <summary>No BLOB configured: no model is listed, and Fido2 is given no metadata service at all.</summary>
    public static FileMetadataService None { get; } = new(null);

    public bool HasBlob { get; }

    /// <summary>The BLOB's serial number ("no"), which grows by one with each BLOB the FIDO Alliance publishes.</summary>
    public int? Number { get; }

    /// <summary>The date by which the FIDO Alliance publishes the next BLOB; revocations after it are not in this one.</summary>
    public DateOnly? NextUpdate { get; }

    public int Count => entries.Count;

    /// <summary>Reads and verifies the BLOB file, which holds the JWT as downloaded from https://mds3.fidoalliance.org/.</summary>
    /// <exception cref="MetadataBlobException">The file cannot be read, or is not a genuine BLOB under <paramref name="trustedRoot"/>.</exception>
    public static FileMetadataService Load(string path, X509Certificate2 trustedRoot, DateTimeOffset now)
    {
        string jwt;
        try
        {
            jwt = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MetadataBlobException($"The metadata BLOB '{path}' could not be read: {ex.Message}", ex);
        }
        return Parse(jwt, trustedRoot, now);
    }

    /// <exception cref="MetadataBlobException">Not a genuine BLOB under <paramref name="trustedRoot"/>.</exception>
    public static FileMetadataService Parse(string jwt, X509Certificate2 trustedRoot, DateTimeOffset now) =>
        new(MetadataBlob.Verify(jwt, trustedRoot, now));

    /// <summary>Whether the FIDO Alliance has published a newer BLOB by <paramref name="now"/>, so this one may miss revocations.</summary>
    public bool IsStale(DateTimeOffset now) => NextUpdate is { } next && next < DateOnly.FromDateTime(now.UtcDateTime);

    public Task<MetadataBLOBPayloadEntry?> GetEntryAsync(Guid aaguid, CancellationToken cancellationToken = default) =>
        Task.FromResult<MetadataBLOBPayloadEntry?>(entries.GetValueOrDefault(aaguid));

    // Conformance mode is for the FIDO test tool's fake authenticators: it relaxes Fido2's checks of real ones.
    public bool ConformanceTesting() => false;

    public ModelStatus StatusOf(Guid aaguid) =>
        entries.TryGetValue(aaguid, out var entry) ? ModelStatus.Of(entry) : ModelStatus.NotListed;

    /// <summary>The model's name in its metadata statement when the model is FIDO certified; otherwise null.</summary>
    public string? CertifiedModelName(Guid aaguid) => StatusOf(aaguid) is { IsCertified: true } status ? status.Description : null;

    /// <summary>
    /// Why a registration that Fido2 accepted does not prove a certified model, or null when it does. Fido2 checks the
    /// attestation chain against the model's roots only when the model's statement declares full (basic_full) or
    /// CA (attca) attestation; for any other declaration, or for no attestation at all, the AAGUID is the
    /// authenticator's own claim.
    /// </summary>
    /// <param name="attestationType">Fido2's <c>RegisteredPublicKeyCredential.AttestationType</c>: none, self, basic, attca or anonca.</param>
    /// <param name="name">What to call the model when its statement gives no description.</param>
    public string? WhyNotProven(Guid aaguid, string attestationType, string name)
    {
        if (!entries.TryGetValue(aaguid, out var entry))
        {
            return $"authenticator model {aaguid} ({name}) is not in the FIDO metadata, so it cannot be verified";
        }
        var status = ModelStatus.Of(entry);
        var model = status.Description ?? name;
        if (!ChainWasChecked(entry, attestationType))
        {
            // Self attestation is signed by the new credential's own key: any software can make one for any AAGUID.
            return attestationType is "none" or "self"
                ? $"{model} did not attest what model it is ({attestationType} attestation): allow the browser to share it, or use another key"
                : $"{model} sent {attestationType} attestation, which its FIDO metadata gives no way to verify";
        }
        return status.Certification switch
        {
            ModelCertification.Certified => null,
            ModelCertification.Refused => $"{model} is refused by the FIDO Alliance ({status.Status})",
            _ => $"{model} is not FIDO certified",
        };
    }

    private static bool ChainWasChecked(MetadataBLOBPayloadEntry entry, string attestationType)
    {
        var declared = entry.MetadataStatement?.AttestationTypes ?? [];
        return attestationType switch
        {
            "basic" or "attca" => (declared.Contains("basic_full") || declared.Contains("attca"))
                && entry.MetadataStatement?.AttestationRootCertificates is { Length: > 0 },
            // Apple's anonymous attestation is verified against Apple's own root by Fido2's "apple" format.
            "anonca" => declared.Contains("anonca"),
            _ => false,
        };
    }
}
