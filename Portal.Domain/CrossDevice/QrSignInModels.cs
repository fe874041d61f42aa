namespace Tessera.Domain.CrossDevice;

/// <summary>A device taking part: its raw address (pseudonymised before it is stored) and its User-Agent header.</summary>
public sealed record QrDevice(string? IpAddress, string? UserAgent);

/// <summary>What the starting browser needs: the token goes into the QR code, the nonce into an HttpOnly cookie.</summary>
public sealed record QrSignInCreated(Guid Id, string Token, string BrowserNonce, int Number, DateTimeOffset ExpiresAt);

/// <summary>What the phone shows: the laptop's device and place; the user types the number the laptop shows.</summary>
/// <param name="Places">Where the screen is against the phone, the rule, and the risk decision (null without a risk engine).</param>
public sealed record QrScanView(Guid Id, string? RequesterDevice, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, QrPlaces? Places = null);

public enum QrCreateOutcome
{
    Created,
    TooManyLiveSessions,
}

public sealed record QrCreateResult(QrCreateOutcome Outcome, QrSignInCreated? Session);
