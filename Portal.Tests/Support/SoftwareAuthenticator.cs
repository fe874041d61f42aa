using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Portal.Tests.Support;

/// <summary>What the browser and the authenticator put into one response; each test bends one of these.</summary>
public sealed record CeremonyInput
{
    public const string DefaultOrigin = "http://localhost:5080";

    public string Origin { get; init; } = DefaultOrigin;

    /// <summary>The RP id the authenticator hashes into its data; null takes the one in the options.</summary>
    public string? RpId { get; init; }

    public bool UserPresent { get; init; } = true;

    public bool UserVerified { get; init; } = true;

    public bool BackupEligible { get; init; } = true;

    public bool BackedUp { get; init; } = true;

    /// <summary>For an assertion: send the user handle (discoverable credentials always do).</summary>
    public bool SendUserHandle { get; init; } = true;
}

/// <summary>
/// A software WebAuthn authenticator with one ECDSA P-256 credential: it answers creation and request options with the
/// JSON a browser's PublicKeyCredential.toJSON() gives (base64url fields), real signatures, and "none" attestation,
/// or "packed" attestation when it is given an <see cref="AttestationCertificate"/>.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwareAuthenticator(Guid? aaguid = null, byte[]? credentialId = null)
    {
        Aaguid = aaguid ?? Guid.Empty;
        CredentialId = credentialId ?? RandomNumberGenerator.GetBytes(32);
    }

    public Guid Aaguid { get; }

    public byte[] CredentialId { get; }

    /// <summary>The user handle learnt at registration, returned in assertions as a discoverable credential does.</summary>
    public byte[]? UserHandle { get; private set; }

    /// <summary>The counter put in the next response; moved forward by one after each assertion when <see cref="Counting"/>.</summary>
    public uint SignCount { get; set; }

    /// <summary>Synced platform passkeys keep the counter at zero; security keys count.</summary>
    public bool Counting { get; set; } = true;

    /// <summary>
    /// An ECDSA P-256 attestation certificate with its private key (<see cref="TestMetadata.IssueAttestationCertificate"/>):
    /// registration then sends "packed" full attestation, signed with it and with it alone in x5c, as a security key does.
    /// </summary>
    public X509Certificate2? AttestationCertificate { get; init; }

    /// <summary>Answers PublicKeyCredentialCreationOptions (as JSON) with a registration response (as JSON).</summary>
    public string Register(string creationOptionsJson, CeremonyInput? input = null)
    {
        input ??= new CeremonyInput();
        var options = JsonNode.Parse(creationOptionsJson)!;
        UserHandle = Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>());
        var rpId = input.RpId ?? options["rp"]!["id"]!.GetValue<string>();
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>(), input.Origin);
        var authData = AuthenticatorData(rpId, input, attested: true);

        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(AttestationCertificate is null ? "none" : "packed");
        writer.WriteTextString("attStmt");
        WriteAttestationStatement(writer, [.. authData, .. SHA256.HashData(clientData)]);
        writer.WriteTextString("authData");
        writer.WriteByteString(authData);
        writer.WriteEndMap();

        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Encode(clientData),
            ["attestationObject"] = Encode(writer.Encode()),
            ["transports"] = new JsonArray("internal", "hybrid"),
        });
    }

    /// <summary>Answers PublicKeyCredentialRequestOptions (as JSON) with an assertion response (as JSON).</summary>
    public string Assert(string requestOptionsJson, CeremonyInput? input = null)
    {
        input ??= new CeremonyInput();
        var options = JsonNode.Parse(requestOptionsJson)!;
        var rpId = input.RpId ?? options["rpId"]!.GetValue<string>();
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>(), input.Origin);
        var authData = AuthenticatorData(rpId, input, attested: false);
        var signature = key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (Counting)
        {
            SignCount++;
        }

        var response = new JsonObject
        {
            ["clientDataJSON"] = Encode(clientData),
            ["authenticatorData"] = Encode(authData),
            ["signature"] = Encode(signature),
        };
        if (input.SendUserHandle && UserHandle is not null)
        {
            response["userHandle"] = Encode(UserHandle);
        }
        return Credential(response);
    }

    public void Dispose() => key.Dispose();

    // Packed (WebAuthn 8.2): alg, sig over authData || SHA-256(clientDataJSON) by the attestation key, x5c, with the
    // keys in CTAP2 canonical order (shorter first, then bytewise) as a real authenticator writes them.
    private void WriteAttestationStatement(CborWriter writer, byte[] signed)
    {
        if (AttestationCertificate is null)
        {
            writer.WriteStartMap(0);
            writer.WriteEndMap();
            return;
        }
        using var attestationKey = AttestationCertificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("The attestation certificate needs its ECDSA private key.");
        writer.WriteStartMap(3);
        writer.WriteTextString("alg");
        writer.WriteInt32(-7);
        writer.WriteTextString("sig");
        writer.WriteByteString(attestationKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        writer.WriteTextString("x5c");
        writer.WriteStartArray(1);
        writer.WriteByteString(AttestationCertificate.RawData);
        writer.WriteEndArray();
        writer.WriteEndMap();
    }

    private string Credential(JsonObject response) => new JsonObject
    {
        ["id"] = Encode(CredentialId),
        ["rawId"] = Encode(CredentialId),
        ["type"] = "public-key",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
        ["authenticatorAttachment"] = "platform",
    }.ToJsonString();

    private static byte[] ClientData(string type, string challenge, string origin) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type, challenge, origin, crossOrigin = false });

    // rpIdHash (32) | flags (1) | signCount (4, big endian) | [aaguid (16) | idLength (2) | id | COSE key]
    private byte[] AuthenticatorData(string rpId, CeremonyInput input, bool attested)
    {
        byte flags = 0;
        flags |= input.UserPresent ? (byte)0x01 : (byte)0;
        flags |= input.UserVerified ? (byte)0x04 : (byte)0;
        flags |= input.BackupEligible ? (byte)0x08 : (byte)0;
        flags |= input.BackedUp ? (byte)0x10 : (byte)0;
        flags |= attested ? (byte)0x40 : (byte)0;

        var data = new List<byte>();
        data.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(rpId)));
        data.Add(flags);
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, SignCount);
        data.AddRange(counter);
        if (attested)
        {
            data.AddRange(Aaguid.ToByteArray(bigEndian: true));
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)CredentialId.Length);
            data.AddRange(length);
            data.AddRange(CredentialId);
            data.AddRange(CoseKey());
        }
        return data.ToArray();
    }

    // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    private byte[] CoseKey()
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32(-7);
        writer.WriteInt32(-1);
        writer.WriteInt32(1);
        writer.WriteInt32(-2);
        writer.WriteByteString(parameters.Q.X!);
        writer.WriteInt32(-3);
        writer.WriteByteString(parameters.Q.Y!);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
