using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// What <see cref="WebPushCrypto.CheckVapid"/> read from a push request's <c>Authorization</c> header. The claims
/// are reported as read even when <see cref="Valid"/> is false, so a test can say what the sender put in them.
/// </summary>
/// <param name="Valid">The token is well formed, signed by <see cref="PublicKey"/>, and its claims hold.</param>
/// <param name="Audience">The JWT's <c>aud</c>, as read.</param>
/// <param name="Expires">The JWT's <c>exp</c>, as read.</param>
/// <param name="Subject">The JWT's <c>sub</c>, as read.</param>
/// <param name="PublicKey">The header's <c>k</c> (base64url), as read.</param>
/// <param name="Error">Why the check failed; null when <see cref="Valid"/>.</param>
public sealed record VapidCheck(bool Valid, string? Audience, DateTimeOffset? Expires, string? Subject, string? PublicKey, string? Error);

/// <summary>
/// The push-service and user-agent side of Web Push for tests, with the BCL's crypto only: the <c>aes128gcm</c>
/// content coding (RFC 8188) keyed as RFC 8291 says, and the VAPID token check of RFC 8292.
/// </summary>
/// <remarks>
/// A Web Push body is one record (RFC 8291 §4): header <c>salt(16) || rs(4, big-endian) || idlen(1) || keyid</c>,
/// the key id being the application server's ephemeral public key (65 bytes, uncompressed P-256), then
/// <c>AES-128-GCM(plaintext || 0x02 || zero padding) || tag(16)</c>. Keys (RFC 8291 §3.4):
/// <code>
/// ecdh_secret = ECDH(as_private, ua_public) = ECDH(ua_private, as_public)
/// IKM   = HKDF(salt = auth_secret, ikm = ecdh_secret, info = "WebPush: info" || 0x00 || ua_public || as_public, L = 32)
/// CEK   = HKDF(salt = salt, ikm = IKM, info = "Content-Encoding: aes128gcm" || 0x00, L = 16)
/// NONCE = HKDF(salt = salt, ikm = IKM, info = "Content-Encoding: nonce" || 0x00, L = 12)   (record 0: XOR 0 is a no-op)
/// </code>
/// </remarks>
public static class WebPushCrypto
{
    private const int SaltLength = 16;
    private const int AuthSecretLength = 16;
    private const int PublicKeyLength = 65;
    private const int CoordinateLength = 32;
    private const int TagLength = 16;
    private const int KeyIdOffset = SaltLength + 4 + 1;
    private const int HeaderLength = KeyIdOffset + PublicKeyLength;
    private const byte LastRecordDelimiter = 0x02;
    private const byte OtherRecordDelimiter = 0x01;

    /// <summary>RFC 8188 §2.1: a record size below 18 (a tag and a delimiter and one byte) is invalid.</summary>
    private const int MinimumRecordSize = 18;

    /// <summary>RFC 8292 §2: the <c>exp</c> claim must not be more than 24 hours from the time of the request.</summary>
    private static readonly TimeSpan LongestVapidLifetime = TimeSpan.FromHours(24);

    private static readonly byte[] KeyInfoLabel = "WebPush: info\0"u8.ToArray();
    private static readonly byte[] CekInfo = "Content-Encoding: aes128gcm\0"u8.ToArray();
    private static readonly byte[] NonceInfo = "Content-Encoding: nonce\0"u8.ToArray();

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> for a subscription as an application server does (RFC 8291 §3.4): the
    /// whole <c>aes128gcm</c> body, one record, no padding beyond the 0x02 delimiter.
    /// </summary>
    /// <param name="plaintext">The push message.</param>
    /// <param name="uaPublicKey">The subscription's <c>p256dh</c>: 65-byte uncompressed P-256 point.</param>
    /// <param name="authSecret">The subscription's <c>auth</c>: 16 bytes.</param>
    /// <param name="asKeyPair">The application server's ephemeral P-256 key pair; its public key becomes the key id.</param>
    /// <param name="salt">16 bytes; random in real use, fixed for test vectors.</param>
    /// <param name="recordSize">The header's <c>rs</c>; RFC 8291 §4 wants it greater than the one record.</param>
    public static byte[] Encrypt(byte[] plaintext, byte[] uaPublicKey, byte[] authSecret, ECDiffieHellman asKeyPair, byte[] salt, int recordSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(uaPublicKey);
        ArgumentNullException.ThrowIfNull(authSecret);
        ArgumentNullException.ThrowIfNull(asKeyPair);
        ArgumentNullException.ThrowIfNull(salt);
        if (uaPublicKey.Length != PublicKeyLength || uaPublicKey[0] != 0x04)
        {
            throw new ArgumentException("The user agent's key must be an uncompressed P-256 point (65 bytes, 0x04 first).", nameof(uaPublicKey));
        }
        if (authSecret.Length != AuthSecretLength)
        {
            throw new ArgumentException($"The auth secret must be {AuthSecretLength} bytes, not {authSecret.Length}.", nameof(authSecret));
        }
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"The salt must be {SaltLength} bytes, not {salt.Length}.", nameof(salt));
        }
        if (recordSize < MinimumRecordSize)
        {
            throw new ArgumentOutOfRangeException(nameof(recordSize), recordSize, $"RFC 8188 §2.1: a record size below {MinimumRecordSize} is invalid.");
        }
        var recordLength = plaintext.Length + 1 + TagLength;
        if (recordLength >= recordSize)
        {
            throw new ArgumentException(
                $"RFC 8291 §4: a push message is one record, and rs ({recordSize}) must exceed it ({plaintext.Length} bytes + delimiter + tag = {recordLength}).",
                nameof(plaintext));
        }

        var asPublicKey = PublicKeyOf(asKeyPair);
        using var ua = ImportPublicKey(uaPublicKey);
        using var uaPublic = ua.PublicKey;
        var ecdhSecret = asKeyPair.DeriveRawSecretAgreement(uaPublic);
        var (cek, nonce) = DeriveKeyAndNonce(ecdhSecret, authSecret, uaPublicKey, asPublicKey, salt);

        var record = new byte[plaintext.Length + 1];
        plaintext.CopyTo(record, 0);
        record[^1] = LastRecordDelimiter;

        var body = new byte[HeaderLength + record.Length + TagLength];
        salt.CopyTo(body, 0);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(SaltLength, 4), (uint)recordSize);
        body[SaltLength + 4] = PublicKeyLength;
        asPublicKey.CopyTo(body, KeyIdOffset);
        using (var aes = new AesGcm(cek, TagLength))
        {
            aes.Encrypt(nonce, record, body.AsSpan(HeaderLength, record.Length), body.AsSpan(HeaderLength + record.Length, TagLength));
        }
        CryptographicOperations.ZeroMemory(ecdhSecret);
        CryptographicOperations.ZeroMemory(cek);
        return body;
    }

    /// <summary>
    /// Opens an <c>aes128gcm</c> Web Push body as the user agent does: reads the header, agrees a secret with the key
    /// id, decrypts the one record and strips the padding down to its 0x02 delimiter.
    /// </summary>
    /// <exception cref="CryptographicException">
    /// The body is malformed (short, a key id that is not a 65-byte P-256 point, more than one record, no final
    /// delimiter) or does not authenticate (another key or auth secret, a changed byte: <see cref="AuthenticationTagMismatchException"/>).
    /// </exception>
    public static byte[] Decrypt(byte[] body, ECDiffieHellman uaKeyPair, byte[] authSecret)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(uaKeyPair);
        ArgumentNullException.ThrowIfNull(authSecret);
        if (authSecret.Length != AuthSecretLength)
        {
            throw new ArgumentException($"The auth secret must be {AuthSecretLength} bytes, not {authSecret.Length}.", nameof(authSecret));
        }
        if (body.Length < KeyIdOffset)
        {
            throw new CryptographicException($"The body has {body.Length} bytes, fewer than the {KeyIdOffset} of an aes128gcm header before its key id.");
        }

        var salt = body[..SaltLength];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(SaltLength, 4));
        int keyIdLength = body[SaltLength + 4];
        if (recordSize < MinimumRecordSize)
        {
            throw new CryptographicException($"The header's record size is {recordSize}; below {MinimumRecordSize} is invalid (RFC 8188 §2.1).");
        }
        if (keyIdLength != PublicKeyLength)
        {
            throw new CryptographicException($"The key id is {keyIdLength} bytes; Web Push puts the 65-byte application server key there (RFC 8291 §4).");
        }
        if (body.Length < HeaderLength)
        {
            throw new CryptographicException($"The body has {body.Length} bytes, fewer than its {HeaderLength}-byte header.");
        }
        var asPublicKey = body[KeyIdOffset..HeaderLength];
        var record = body.AsSpan(HeaderLength);
        if (record.Length < TagLength + 1)
        {
            throw new CryptographicException($"The record has {record.Length} bytes, too few for a padding delimiter and a {TagLength}-byte tag.");
        }
        if (record.Length > recordSize)
        {
            throw new CryptographicException(
                $"The ciphertext ({record.Length} bytes) is longer than the record size ({recordSize}): more than one record, and Web Push allows one (RFC 8291 §4).");
        }

        var uaPublicKey = PublicKeyOf(uaKeyPair);
        using var asKey = ImportPublicKey(asPublicKey);
        using var asPublic = asKey.PublicKey;
        var ecdhSecret = uaKeyPair.DeriveRawSecretAgreement(asPublic);
        var (cek, nonce) = DeriveKeyAndNonce(ecdhSecret, authSecret, uaPublicKey, asPublicKey, salt);

        var padded = new byte[record.Length - TagLength];
        using (var aes = new AesGcm(cek, TagLength))
        {
            aes.Decrypt(nonce, record[..^TagLength], record[^TagLength..], padded);
        }
        CryptographicOperations.ZeroMemory(ecdhSecret);
        CryptographicOperations.ZeroMemory(cek);

        // RFC 8188 §2: the plaintext, then the delimiter (0x02 in the last record), then any number of zeros.
        var end = padded.Length - 1;
        while (end >= 0 && padded[end] == 0)
        {
            end--;
        }
        if (end < 0)
        {
            throw new CryptographicException("The record has no padding delimiter: it decrypts to zeros only.");
        }
        if (padded[end] != LastRecordDelimiter)
        {
            throw new CryptographicException(padded[end] == OtherRecordDelimiter
                ? "The record's delimiter is 0x01, which marks a record that is not the last; the body has no final record."
                : $"The record ends in 0x{padded[end]:x2} where its padding delimiter (0x02) belongs.");
        }
        return padded[..end];
    }

    /// <summary>
    /// Checks a push request's <c>Authorization: vapid t=&lt;JWT&gt;, k=&lt;key&gt;</c> header (RFC 8292 §3) as a push
    /// service would: header <c>{"typ":"JWT","alg":"ES256"}</c> (alg must be ES256; typ, when present, JWT), an ES256
    /// signature (raw r||s, IEEE P1363) by <c>k</c> over <c>header.payload</c>, and the claims: <c>aud</c> the
    /// endpoint's origin, <c>exp</c> after <paramref name="now"/> and at most 24 hours after it, <c>sub</c> a
    /// <c>mailto:</c> or <c>https:</c> URI.
    /// </summary>
    /// <param name="authorizationHeader">The header's value, scheme included; null when the request had none.</param>
    /// <param name="endpointOrigin">
    /// The push endpoint or its origin (any absolute URI; only scheme, host and port count). <c>aud</c> passes as the
    /// origin with its port (<c>http://127.0.0.1:5123</c>) and also without it (<c>http://127.0.0.1</c>), because
    /// some push libraries (Lib.Net.Http.WebPush among them) build it from scheme and host only. A default port is
    /// never written, so for <c>https://push.example.net</c> both forms are the same.
    /// </param>
    /// <param name="now">The time of the request.</param>
    public static VapidCheck CheckVapid(string? authorizationHeader, string endpointOrigin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(endpointOrigin);
        if (!Uri.TryCreate(endpointOrigin, UriKind.Absolute, out var endpoint))
        {
            throw new ArgumentException($"'{endpointOrigin}' is not an absolute URI.", nameof(endpointOrigin));
        }
        var originWithoutPort = $"{endpoint.Scheme}://{endpoint.Host}";
        var origin = endpoint.IsDefaultPort ? originWithoutPort : $"{originWithoutPort}:{endpoint.Port}";

        string? audience = null;
        DateTimeOffset? expires = null;
        string? subject = null;
        string? publicKey = null;
        VapidCheck Fail(string error) => new(false, audience, expires, subject, publicKey, error);

        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            return Fail("The request has no Authorization header.");
        }
        var value = authorizationHeader.Trim();
        var space = value.IndexOf(' ');
        var scheme = space < 0 ? value : value[..space];
        if (!scheme.Equals("vapid", StringComparison.OrdinalIgnoreCase))
        {
            return Fail($"The Authorization scheme is '{scheme}', not 'vapid' (RFC 8292 §3).");
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = space < 0 ? "" : value[(space + 1)..];
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                return Fail($"The Authorization parameter '{item}' is not name=value.");
            }
            var parameterValue = item[(equals + 1)..].Trim();
            if (parameterValue.Length >= 2 && parameterValue[0] == '"' && parameterValue[^1] == '"')
            {
                parameterValue = parameterValue[1..^1];
            }
            if (!parameters.TryAdd(item[..equals].Trim(), parameterValue))
            {
                return Fail($"The Authorization parameter '{item[..equals].Trim()}' appears twice.");
            }
        }
        if (!parameters.TryGetValue("t", out var token) || token.Length == 0)
        {
            return Fail("The vapid Authorization header has no t= (the JWT).");
        }
        if (!parameters.TryGetValue("k", out var key) || key.Length == 0)
        {
            return Fail("The vapid Authorization header has no k= (the application server's public key).");
        }
        publicKey = key;

        var segments = token.Split('.');
        if (segments.Length != 3)
        {
            return Fail($"The JWT has {segments.Length} dot-separated parts; a JWS in compact form has 3.");
        }

        if (!TryReadJson(segments[1], out var claims))
        {
            return Fail("The JWT payload is not base64url-encoded JSON.");
        }
        using (claims)
        {
            if (claims.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Fail("The JWT payload is not a JSON object.");
            }
            if (claims.RootElement.TryGetProperty("aud", out var aud) && aud.ValueKind == JsonValueKind.String)
            {
                audience = aud.GetString();
            }
            if (claims.RootElement.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number)
            {
                if (!exp.TryGetInt64(out var seconds))
                {
                    seconds = (long)Math.Floor(exp.GetDouble());
                }
                if (seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                {
                    expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
            }
            if (claims.RootElement.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String)
            {
                subject = sub.GetString();
            }
        }

        if (!TryReadJson(segments[0], out var header))
        {
            return Fail("The JWT header is not base64url-encoded JSON.");
        }
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Fail("The JWT header is not a JSON object.");
            }
            var alg = header.RootElement.TryGetProperty("alg", out var algElement) && algElement.ValueKind == JsonValueKind.String ? algElement.GetString() : null;
            if (alg != "ES256")
            {
                return Fail($"The JWT's alg is '{alg ?? "(none)"}'; VAPID signs with ES256 (RFC 8292 §2).");
            }
            if (header.RootElement.TryGetProperty("typ", out var typ)
                && !(typ.ValueKind == JsonValueKind.String && string.Equals(typ.GetString(), "JWT", StringComparison.OrdinalIgnoreCase)))
            {
                return Fail($"The JWT's typ is {typ.GetRawText()}, not \"JWT\".");
            }
        }

        if (!TryDecode(key, out var keyBytes) || keyBytes.Length != PublicKeyLength || keyBytes[0] != 0x04)
        {
            return Fail("k is not a base64url uncompressed P-256 point (65 bytes, 0x04 first).");
        }
        if (!TryDecode(segments[2], out var signature) || signature.Length != 2 * CoordinateLength)
        {
            return Fail("The JWT signature is not 64 base64url bytes (ES256 is r||s, RFC 7518 §3.4).");
        }
        ECDsa verifier;
        try
        {
            verifier = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = keyBytes[1..(1 + CoordinateLength)], Y = keyBytes[(1 + CoordinateLength)..] },
            });
        }
        catch (CryptographicException)
        {
            return Fail("k is not a point on P-256.");
        }
        using (verifier)
        {
            var signed = Encoding.ASCII.GetBytes(segments[0] + "." + segments[1]);
            if (!verifier.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return Fail("The JWT's signature does not verify with k.");
            }
        }

        if (audience is null)
        {
            return Fail("The JWT has no aud (string) claim.");
        }
        if (audience != origin && audience != originWithoutPort)
        {
            return Fail(origin == originWithoutPort
                ? $"The JWT's aud is '{audience}', not the push endpoint's origin '{origin}'."
                : $"The JWT's aud is '{audience}', not the push endpoint's origin '{origin}' (or '{originWithoutPort}').");
        }
        if (expires is null)
        {
            return Fail("The JWT has no exp (NumericDate) claim.");
        }
        if (expires <= now)
        {
            return Fail($"The JWT expired at {expires:O}; the request came at {now:O}.");
        }
        if (expires > now + LongestVapidLifetime)
        {
            return Fail($"The JWT's exp ({expires:O}) is more than 24 hours after the request ({now:O}) (RFC 8292 §2).");
        }
        if (subject is null)
        {
            return Fail("The JWT has no sub (string) claim.");
        }
        if (!subject.StartsWith("mailto:", StringComparison.Ordinal) && !subject.StartsWith("https:", StringComparison.Ordinal))
        {
            return Fail($"The JWT's sub '{subject}' is neither a mailto: nor an https: URI (RFC 8292 §2.1).");
        }
        return new VapidCheck(true, audience, expires, subject, publicKey, null);
    }

    private static (byte[] Cek, byte[] Nonce) DeriveKeyAndNonce(byte[] ecdhSecret, byte[] authSecret, byte[] uaPublicKey, byte[] asPublicKey, byte[] salt)
    {
        byte[] keyInfo = [.. KeyInfoLabel, .. uaPublicKey, .. asPublicKey];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, CekInfo);
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, NonceInfo);
        CryptographicOperations.ZeroMemory(ikm);
        CryptographicOperations.ZeroMemory(prk);
        return (cek, nonce);
    }

    /// <summary>An uncompressed P-256 point as a key object; <see cref="CryptographicException"/> when it is none.</summary>
    private static ECDiffieHellman ImportPublicKey(byte[] point)
    {
        if (point.Length != PublicKeyLength || point[0] != 0x04)
        {
            throw new CryptographicException("The key is not an uncompressed P-256 point (65 bytes, 0x04 first).");
        }
        try
        {
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..(1 + CoordinateLength)], Y = point[(1 + CoordinateLength)..] },
            });
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException("The key is not a point on P-256.", e);
        }
    }

    /// <summary>The key pair's public key, uncompressed: 0x04 || X || Y.</summary>
    private static byte[] PublicKeyOf(ECDiffieHellman keyPair)
    {
        var q = keyPair.ExportParameters(false).Q;
        if (q.X is not { Length: CoordinateLength } x || q.Y is not { Length: CoordinateLength } y)
        {
            throw new ArgumentException("Web Push keys are P-256 keys.", nameof(keyPair));
        }
        return [0x04, .. x, .. y];
    }

    private static bool TryDecode(string base64Url, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(base64Url);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static bool TryReadJson(string base64Url, [NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;
        if (!TryDecode(base64Url, out var bytes))
        {
            return false;
        }
        try
        {
            document = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
