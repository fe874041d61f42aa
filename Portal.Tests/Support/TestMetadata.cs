using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Fido2NetLib;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A FIDO Metadata Service of the tests' own: an RSA root in place of GlobalSign's, a BLOB signer issued under it
/// (RS256, as the real BLOB is signed), and an EC attestation root that issues the certificates a
/// <see cref="SoftwareAuthenticator"/> attests with, named in each entry's attestationRootCertificates.
/// </summary>
public sealed class TestMetadata : IDisposable
{
    // Fixed dates around both clocks in play: the fake one the BLOB is verified at (2026), and the machine's, which
    // Fido2 reads for attestation certificates. Each issued certificate sits a year inside its issuer's validity.
    private static readonly DateTimeOffset RootNotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RootNotAfter = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When the BLOB signer (and every certificate issued here) stops being valid.</summary>
    public static readonly DateTimeOffset IssuedNotAfter = RootNotAfter.AddYears(-1);

    private TestMetadata(string name)
    {
        using var rootKey = RSA.Create(2048);
        Root = SelfSigned(new CertificateRequest($"CN={name} Metadata Root, O=Tessera Tests, C=GB", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using var signerKey = RSA.Create(2048);
        Signer = Issue(Root, new CertificateRequest($"CN={name} BLOB Signer, O=Tessera Tests, C=GB", signerKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), signerKey);
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AttestationRoot = SelfSigned(new CertificateRequest($"CN={name} Attestation Root, O=Tessera Tests, C=GB", attestationKey, HashAlgorithmName.SHA256));
    }

    public static TestMetadata Create(string name = "Tessera Test") => new(name);

    /// <summary>The root a BLOB must chain to, with its private key (it issues <see cref="Signer"/>).</summary>
    public X509Certificate2 Root { get; }

    public X509Certificate2 Signer { get; }

    public X509Certificate2 AttestationRoot { get; }

    /// <summary>A BLOB payload of the given entries, serial number 7, due for replacement on 1 April 2026.</summary>
    public static JsonObject Payload(params JsonNode[] entries) => new()
    {
        ["legalHeader"] = "Test metadata, not from the FIDO Alliance.",
        ["no"] = 7,
        ["nextUpdate"] = "2026-04-01",
        ["entries"] = new JsonArray(entries),
    };

    /// <summary>An entry for a model with one status report, attested (basic_full) under <see cref="AttestationRoot"/>.</summary>
    public JsonObject Entry(Guid aaguid, string description, AuthenticatorStatus status, string effectiveDate = "2025-01-01") => new()
    {
        ["aaguid"] = aaguid.ToString(),
        ["metadataStatement"] = new JsonObject
        {
            ["aaguid"] = aaguid.ToString(),
            ["description"] = description,
            ["schema"] = 3,
            ["protocolFamily"] = "fido2",
            ["attestationTypes"] = new JsonArray("basic_full"),
            ["attestationRootCertificates"] = new JsonArray(Convert.ToBase64String(AttestationRoot.RawData)),
        },
        ["statusReports"] = new JsonArray(Report(status, effectiveDate)),
        ["timeOfLastStatusChange"] = effectiveDate,
    };

    public static JsonNode Report(AuthenticatorStatus status, string effectiveDate) => new JsonObject
    {
        ["status"] = status.ToString(),
        ["effectiveDate"] = effectiveDate,
    };

    /// <summary>The payload as a signed BLOB: header alg and x5c [signer, root], as the Metadata Service writes it.</summary>
    /// <param name="signer">Another signing certificate with its private key; <see cref="Signer"/> by default.</param>
    /// <param name="algorithm">The alg to claim in the header; by default the one that goes with the signer's key.</param>
    public string Sign(JsonNode payload, X509Certificate2? signer = null, string? algorithm = null)
    {
        signer ??= Signer;
        using var rsa = signer.GetRSAPublicKey();
        var alg = algorithm ?? (rsa is null ? "ES256" : "RS256");
        var header = new JsonObject
        {
            ["alg"] = alg,
            ["typ"] = "JWT",
            ["x5c"] = new JsonArray(Convert.ToBase64String(signer.RawData), Convert.ToBase64String(Root.RawData)),
        };
        var signingInput = Encode(header.ToJsonString()) + "." + Encode(payload.ToJsonString());
        return signingInput + "." + Base64Url.EncodeToString(SignJws(signer, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The verified BLOB, as the app loads it.</summary>
    public FileMetadataService Load(JsonNode payload, DateTimeOffset now) => FileMetadataService.Parse(Sign(payload), Root, now);

    /// <summary>An ES256 BLOB signer under <see cref="Root"/>, with its private key.</summary>
    public X509Certificate2 IssueEcSigner()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Issue(Root, new CertificateRequest("CN=Tessera Test EC BLOB Signer, O=Tessera Tests, C=GB", key, HashAlgorithmName.SHA256), key);
    }

    /// <summary>
    /// A packed attestation certificate for <paramref name="aaguid"/>, with its private key: the subject and extensions
    /// WebAuthn 8.2.1 requires, and no CRL distribution point, which Fido2 would go and fetch.
    /// </summary>
    /// <param name="issuer">The CA that issues it, with its private key; <see cref="AttestationRoot"/> by default.</param>
    public X509Certificate2 IssueAttestationCertificate(Guid aaguid, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Tessera Test Key, OU=Authenticator Attestation, O=Tessera Tests, C=GB", key, HashAlgorithmName.SHA256);
        // id-fido-gen-ce-aaguid: an OCTET STRING holding the 16 AAGUID bytes, which Fido2 matches against authData.
        byte[] aaguidExtension = [0x04, 0x10, .. aaguid.ToByteArray(bigEndian: true)];
        request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.45724.1.1.4", aaguidExtension, critical: false));
        return Issue(issuer ?? AttestationRoot, request, key);
    }

    /// <summary>A CA of its own, outside this metadata: attestations under it must not verify.</summary>
    public static X509Certificate2 CreateStrangerAttestationRoot()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return SelfSigned(new CertificateRequest("CN=Stranger Attestation Root, O=Elsewhere, C=GB", key, HashAlgorithmName.SHA256));
    }

    public void Dispose()
    {
        Root.Dispose();
        Signer.Dispose();
        AttestationRoot.Dispose();
    }

    private static X509Certificate2 SelfSigned(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(RootNotBefore, RootNotAfter);
    }

    // Through a signature generator rather than Create(issuerCertificate, ...), which insists that issuer and subject
    // keys be of one algorithm; here an RSA root issues an EC signer. Returned with the subject's private key.
    private static X509Certificate2 Issue(X509Certificate2 issuer, CertificateRequest request, AsymmetricAlgorithm key)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var rsa = issuer.GetRSAPrivateKey();
        using var ecdsa = rsa is null ? issuer.GetECDsaPrivateKey() : null;
        var generator = rsa is not null
            ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
            : X509SignatureGenerator.CreateForECDsa(ecdsa ?? throw new InvalidOperationException("The issuer needs its private key."));
        using var publicOnly = request.Create(issuer.SubjectName, generator, RootNotBefore.AddYears(1), IssuedNotAfter, serial);
        return key switch
        {
            RSA rsaKey => publicOnly.CopyWithPrivateKey(rsaKey),
            ECDsa ecKey => publicOnly.CopyWithPrivateKey(ecKey),
            _ => throw new ArgumentException("Only RSA and ECDSA keys are issued here.", nameof(key)),
        };
    }

    private static byte[] SignJws(X509Certificate2 signer, byte[] data)
    {
        using var rsa = signer.GetRSAPrivateKey();
        if (rsa is not null)
        {
            return rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        using var ecdsa = signer.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The signer needs its private key.");
        // JWS wants r || s (IEEE P1363), not the DER sequence.
        return ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
