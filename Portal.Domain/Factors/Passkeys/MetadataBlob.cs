using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Serialization;

namespace Tessera.Domain.Factors;

/// <summary>Why a FIDO metadata BLOB was not accepted. The message names the check that failed, for the operator.</summary>
public sealed class MetadataBlobException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Verifies a FIDO Metadata Service v3 BLOB: a JWS whose <c>x5c</c> header chains to the FIDO root and whose first
/// certificate signed it. Fido2 has a verifier of its own, but it is internal and pins the production root, so the
/// tests could not hand it theirs; this one takes the root as an argument.
/// </summary>
public static class MetadataBlob
{
    /// <summary>The JWS algorithms the Metadata Service may use (the same list Fido2 accepts); never "none".</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <param name="jwt">The BLOB as downloaded; surrounding whitespace (a trailing newline) is ignored.</param>
    /// <param name="trustedRoot">The certificate the signing chain must end at: the FIDO root, or a test's own.</param>
    /// <param name="now">When the chain must be valid.</param>
    /// <exception cref="MetadataBlobException">Any check failed; nothing of the payload is returned unverified.</exception>
    public static MetadataBLOBPayload Verify(string jwt, X509Certificate2 trustedRoot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trustedRoot);
        var parts = (jwt ?? "").Trim().Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            throw new MetadataBlobException("The metadata BLOB is not a signed JWT (three base64url parts separated by dots).");
        }

        var (algorithm, certificates) = ReadHeader(Decode(parts[0], "header"));
        try
        {
            VerifyChain(certificates, trustedRoot, now);
            // The JWS signing input is the two encoded parts exactly as sent, not a re-encoding of what they decode to.
            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!SignatureVerifies(algorithm, certificates[0], signingInput, Decode(parts[2], "signature")))
            {
                throw new MetadataBlobException($"The metadata BLOB's {algorithm} signature does not verify with its signing certificate '{certificates[0].Subject}': the BLOB was altered, or signed by another key.");
            }
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
        return ReadPayload(Decode(parts[1], "payload"), algorithm);
    }

    private static (string Algorithm, X509Certificate2[] Certificates) ReadHeader(byte[] json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MetadataBlobException("The metadata BLOB's header is not JSON.", ex);
        }
        using (document)
        {
            var header = document.RootElement;
            if (header.ValueKind != JsonValueKind.Object)
            {
                throw new MetadataBlobException("The metadata BLOB's header is not a JSON object.");
            }
            var algorithm = header.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString() : null;
            if (algorithm is null || !Algorithms.Contains(algorithm))
            {
                throw new MetadataBlobException(
                    $"The metadata BLOB is signed with an unsupported algorithm ('{algorithm ?? "none given"}'); expected one of {string.Join(", ", Algorithms)}.");
            }
            // RFC 7515 4.1.11: a JWS with critical extensions the verifier does not understand must be refused.
            if (header.TryGetProperty("crit", out _))
            {
                throw new MetadataBlobException("The metadata BLOB's header names critical extensions, which this verifier does not support.");
            }
            if (!header.TryGetProperty("x5c", out var x5c) || x5c.ValueKind != JsonValueKind.Array || x5c.GetArrayLength() == 0)
            {
                throw new MetadataBlobException("The metadata BLOB's header has no x5c certificate chain, so nothing says who signed it.");
            }
            return (algorithm, ReadCertificates(x5c));
        }
    }

    private static X509Certificate2[] ReadCertificates(JsonElement x5c)
    {
        var certificates = new List<X509Certificate2>();
        try
        {
            foreach (var item in x5c.EnumerateArray())
            {
                // RFC 7515 4.1.6: x5c holds standard base64 DER, not base64url.
                certificates.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(item.GetString() ?? "")));
            }
            return certificates.ToArray();
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or InvalidOperationException)
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
            throw new MetadataBlobException("The metadata BLOB's x5c header holds something that is not a base64 DER certificate.", ex);
        }
    }

    private static void VerifyChain(X509Certificate2[] certificates, X509Certificate2 trustedRoot, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        // Only the given root: the machine's own store must not be able to vouch for a BLOB.
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
        chain.ChainPolicy.ExtraStore.AddRange(certificates[1..]);
        // The BLOB is read from disk, and verifying it must not need the network: no CRL or issuer downloads.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        var signer = certificates[0];
        if (!chain.Build(signer))
        {
            var problems = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
            throw new MetadataBlobException(
                $"The metadata BLOB's signing certificate '{signer.Subject}' does not chain to the trusted root '{trustedRoot.Subject}' at {now:u} ({problems}).");
        }
        var top = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
        if (!top.RawDataMemory.Span.SequenceEqual(trustedRoot.RawDataMemory.Span))
        {
            throw new MetadataBlobException($"The metadata BLOB's chain ends at '{top.Subject}', not at the trusted root '{trustedRoot.Subject}'.");
        }
        // As Fido2 does: the root itself never signs a BLOB, a certificate issued under it does.
        if (chain.ChainElements.Count < 2)
        {
            throw new MetadataBlobException("The metadata BLOB is signed by the root certificate itself rather than by a certificate issued under it.");
        }
    }

    private static bool SignatureVerifies(string algorithm, X509Certificate2 signer, byte[] data, byte[] signature) => algorithm switch
    {
        "RS256" => Rsa(signer, data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        "RS384" => Rsa(signer, data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        "RS512" => Rsa(signer, data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
        "PS256" => Rsa(signer, data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        "PS384" => Rsa(signer, data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
        "PS512" => Rsa(signer, data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
        "ES256" => Ecdsa(signer, data, signature, HashAlgorithmName.SHA256, 256),
        "ES384" => Ecdsa(signer, data, signature, HashAlgorithmName.SHA384, 384),
        "ES512" => Ecdsa(signer, data, signature, HashAlgorithmName.SHA512, 521),
        _ => throw new MetadataBlobException($"The metadata BLOB is signed with an unsupported algorithm ('{algorithm}')."),
    };

    private static bool Rsa(X509Certificate2 signer, byte[] data, byte[] signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        using var key = signer.GetRSAPublicKey()
            ?? throw new MetadataBlobException($"The metadata BLOB names an RSA algorithm, but its signing certificate '{signer.Subject}' has no RSA key.");
        try
        {
            return key.VerifyData(data, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    // RFC 7518 3.4: a JWS ECDSA signature is r || s of fixed width (IEEE P1363), not the DER sequence X.509 uses,
    // and each ES algorithm goes with one curve.
    private static bool Ecdsa(X509Certificate2 signer, byte[] data, byte[] signature, HashAlgorithmName hash, int keySize)
    {
        using var key = signer.GetECDsaPublicKey()
            ?? throw new MetadataBlobException($"The metadata BLOB names an ECDSA algorithm, but its signing certificate '{signer.Subject}' has no EC key.");
        if (key.KeySize != keySize)
        {
            throw new MetadataBlobException($"The metadata BLOB's signing key is on a {key.KeySize}-bit curve, which its algorithm does not use.");
        }
        try
        {
            return key.VerifyData(data, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static MetadataBLOBPayload ReadPayload(byte[] json, string algorithm)
    {
        MetadataBLOBPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(json, FidoModelSerializerContext.Default.MetadataBLOBPayload);
        }
        catch (JsonException ex)
        {
            throw new MetadataBlobException($"The metadata BLOB is genuine, but its payload is not a metadata BLOB payload: {ex.Message}", ex);
        }
        if (payload?.Entries is null)
        {
            throw new MetadataBlobException("The metadata BLOB is genuine, but its payload has no entries.");
        }
        payload.JwtAlg = algorithm;
        return payload;
    }

    private static byte[] Decode(string part, string name)
    {
        try
        {
            return Base64Url.DecodeFromChars(part);
        }
        catch (FormatException ex)
        {
            throw new MetadataBlobException($"The metadata BLOB's {name} is not base64url.", ex);
        }
    }
}
