using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain.Push;

/// <summary>
/// The test side of Web Push: RFC 8291's example encrypts and decrypts to the byte, a changed body or another auth
/// secret does not open, and the VAPID check takes a good token and refuses bad ones. The stand-in push service that
/// uses them is tested in <see cref="PushServiceStandInTests"/>.
/// </summary>
public sealed class WebPushCryptoTests
{
    // RFC 8291 §5 (the example; Appendix A has the same values), base64url as printed there, line breaks removed.
    private const string RfcPlaintext = "When I grow up, I want to be a watermelon";
    private const string RfcAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private const string RfcAsPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string RfcUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string RfcUaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string RfcSalt = "DGv6ra1nlYgDCS1FRnbzlw";
    private const string RfcAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
    internal const string RfcBody =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
        + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
        + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private const string Origin = "https://push.example.net";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Encrypt_Rfc8291Example_MatchesTheRfcBody()
    {
        using var asKeys = KeyPair(RfcAsPrivate, RfcAsPublic);

        var body = WebPushCrypto.Encrypt(Encoding.UTF8.GetBytes(RfcPlaintext), Bytes(RfcUaPublic), Bytes(RfcAuthSecret), asKeys, Bytes(RfcSalt), recordSize: 4096);

        Assert.Equal(RfcBody, Base64Url.EncodeToString(body));
    }

    [Fact]
    public void Decrypt_Rfc8291Example_GivesThePlaintext()
    {
        using var uaKeys = KeyPair(RfcUaPrivate, RfcUaPublic);

        var plaintext = WebPushCrypto.Decrypt(Bytes(RfcBody), uaKeys, Bytes(RfcAuthSecret));

        Assert.Equal(RfcPlaintext, Encoding.UTF8.GetString(plaintext));
    }

    [Theory]
    [InlineData(0)] // salt
    [InlineData(40)] // key id (the application server's public key)
    [InlineData(100)] // ciphertext
    [InlineData(143)] // tag, the last byte
    public void Decrypt_BodyWithOneFlippedByte_Throws(int position)
    {
        using var uaKeys = KeyPair(RfcUaPrivate, RfcUaPublic);
        var body = Bytes(RfcBody);
        body[position] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => WebPushCrypto.Decrypt(body, uaKeys, Bytes(RfcAuthSecret)));
    }

    [Fact]
    public void Decrypt_BodyForAnotherAuthSecret_Throws()
    {
        using var uaKeys = KeyPair(RfcUaPrivate, RfcUaPublic);
        var otherSecret = RandomNumberGenerator.GetBytes(16);

        Assert.ThrowsAny<CryptographicException>(() => WebPushCrypto.Decrypt(Bytes(RfcBody), uaKeys, otherSecret));
    }

    [Fact]
    public void Decrypt_BodyCutShortOfItsHeader_Throws()
    {
        using var uaKeys = KeyPair(RfcUaPrivate, RfcUaPublic);

        Assert.ThrowsAny<CryptographicException>(() => WebPushCrypto.Decrypt(Bytes(RfcBody)[..60], uaKeys, Bytes(RfcAuthSecret)));
    }

    [Fact]
    public void Encrypt_WithFreshKeys_DecryptsBackToThePlaintext()
    {
        using var uaKeys = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var asKeys = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        var message = Encoding.UTF8.GetBytes("""{"title":"Sign-in request","body":"Approve on this device?"}""");

        var body = WebPushCrypto.Encrypt(message, PublicKey(uaKeys), auth, asKeys, RandomNumberGenerator.GetBytes(16));

        Assert.Equal(message, WebPushCrypto.Decrypt(body, uaKeys, auth));
    }

    [Fact]
    public void CheckVapid_TokenSignedByTheKeyItNames_IsValid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(12), "mailto:ops@example.com"));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.True(check.Valid, check.Error);
        Assert.Equal((Origin, Now.AddHours(12), "mailto:ops@example.com", PublicKeyText(signer)), (check.Audience, check.Expires, check.Subject, check.PublicKey));
        Assert.Null(check.Error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("http://127.0.0.1")]
    public void CheckVapid_AudienceWithOrWithoutTheEndpointsPort_IsValid(string audience)
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(audience, Now.AddHours(1), "https://tessera.example.com/contact"));

        var check = WebPushCrypto.CheckVapid(header, "http://127.0.0.1:5123/push/abc", Now);

        Assert.True(check.Valid, check.Error);
    }

    [Fact]
    public void CheckVapid_ExpiryMoreThan24HoursAhead_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(25), "mailto:ops@example.com"));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Equal(Now.AddHours(25), check.Expires);
        Assert.Contains("24 hours", check.Error);
    }

    [Fact]
    public void CheckVapid_ExpiredToken_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddMinutes(-1), "mailto:ops@example.com"));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Contains("expired", check.Error);
    }

    [Fact]
    public void CheckVapid_AudienceOfAnotherOrigin_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims("https://fcm.googleapis.com", Now.AddHours(12), "mailto:ops@example.com"));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Equal("https://fcm.googleapis.com", check.Audience);
        Assert.Contains("aud", check.Error);
    }

    [Fact]
    public void CheckVapid_NoSubject_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(12), subject: null));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Null(check.Subject);
        Assert.Contains("sub", check.Error);
    }

    [Fact]
    public void CheckVapid_SubjectThatIsNeitherMailtoNorHttps_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(12), "ops@example.com"));

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Equal("ops@example.com", check.Subject);
    }

    [Fact]
    public void CheckVapid_SignatureByAnotherKey_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var named = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(12), "mailto:ops@example.com"), namedKey: named);

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Contains("signature", check.Error);
    }

    [Fact]
    public void CheckVapid_AlgorithmOtherThanEs256_IsInvalid()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Vapid(signer, Claims(Origin, Now.AddHours(12), "mailto:ops@example.com"), jwtHeader: """{"typ":"JWT","alg":"ES384"}""");

        var check = WebPushCrypto.CheckVapid(header, Origin, Now);

        Assert.False(check.Valid);
        Assert.Contains("ES256", check.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc.def.ghi")]
    [InlineData("vapid k=BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")]
    public void CheckVapid_NoVapidToken_IsInvalid(string? authorization)
    {
        var check = WebPushCrypto.CheckVapid(authorization, Origin, Now);

        Assert.False(check.Valid);
        Assert.NotNull(check.Error);
    }

    internal static byte[] Bytes(string base64Url) => Base64Url.DecodeFromChars(base64Url);

    /// <summary>A key pair from the RFC's private key (D) and public key (Q); the import checks they belong together.</summary>
    private static ECDiffieHellman KeyPair(string privateKey, string publicKey)
    {
        var q = Bytes(publicKey);
        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Bytes(privateKey),
            Q = new ECPoint { X = q[1..33], Y = q[33..] },
        });
    }

    private static byte[] PublicKey(AsymmetricAlgorithm key)
    {
        var q = key switch
        {
            ECDiffieHellman ecdh => ecdh.ExportParameters(false).Q,
            ECDsa ecdsa => ecdsa.ExportParameters(false).Q,
            _ => throw new ArgumentException("Not an EC key.", nameof(key)),
        };
        return [0x04, .. q.X!, .. q.Y!];
    }

    internal static string PublicKeyText(ECDsa key) => Base64Url.EncodeToString(PublicKey(key));

    private static string Claims(string audience, DateTimeOffset expires, string? subject) => subject is null
        ? $$"""{"aud":"{{audience}}","exp":{{expires.ToUnixTimeSeconds()}}}"""
        : $$"""{"aud":"{{audience}}","exp":{{expires.ToUnixTimeSeconds()}},"sub":"{{subject}}"}""";

    /// <summary>An <c>Authorization: vapid</c> value: an ES256 JWT signed by <paramref name="signer"/>, naming <paramref name="namedKey"/> (the signer by default) as k.</summary>
    private static string Vapid(ECDsa signer, string claims, ECDsa? namedKey = null, string jwtHeader = """{"typ":"JWT","alg":"ES256"}""")
    {
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(jwtHeader)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
        var signature = signer.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"vapid t={signingInput}.{Base64Url.EncodeToString(signature)}, k={PublicKeyText(namedKey ?? signer)}";
    }
}
