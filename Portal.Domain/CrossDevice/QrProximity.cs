using System.Text.Json;
using Tessera.Domain.Policies;
using Tessera.Domain.Risk;

namespace Tessera.Domain.CrossDevice;

public enum Proximity
{
    /// <summary>The same network or the same network operator (ASN), and the screen not behind an anonymiser or hosting range.</summary>
    Near,

    /// <summary>Different networks and operators, or the screen behind an anonymiser or hosting range.</summary>
    Elsewhere,

    /// <summary>GeoIP could not tell (no databases, unplaceable addresses).</summary>
    Unknown,
}

/// <summary>Where one side of a QR sign-in is, as far as GeoIP can tell.</summary>
public sealed record QrSide(string? Place, string? Network, bool Anonymiser, bool Hosting)
{
    public static QrSide Of(SignInFeatures? f) => f is null
        ? new QrSide(null, null, false, false)
        : new QrSide(f.PlaceName, new GeoPlace(Asn: f.Asn, AsnOrganisation: f.AsnOrganisation).Network(), f.Anonymiser, f.Hosting);
}

/// <summary>
/// What the approving phone is told, and what the approval is held to: where the screen asking to sign in is against
/// where the phone is, the rule that applies (<c>CrossDevice:Proximity</c>, <c>CrossDevice:AdminProximity</c>), and
/// the risk engine's decision on the screen's sign-in for this user.
/// </summary>
public sealed record QrPlaces(QrSide Requester, QrSide Phone, Proximity Proximity, ProximityRule Rule, RiskDecision Risk)
{
    /// <summary>Refused outright: the rule requires nearness and it is not shown, or the score is past the deny threshold.</summary>
    public bool Blocked => Risk == RiskDecision.Deny || (Rule == ProximityRule.Require && Proximity != Proximity.Near);

    /// <summary>The phone is warned (and may still approve).</summary>
    public bool Warned => !Blocked && Rule != ProximityRule.Off && Proximity != Proximity.Near;

    public bool NeedsStepUp => !Blocked && Risk == RiskDecision.StepUp;

    /// <summary>Why the screen seems elsewhere, in words for the phone's owner.</summary>
    public string? Why => Proximity switch
    {
        Proximity.Near => null,
        Proximity.Unknown => "We cannot tell where the other screen is.",
        _ when Requester.Anonymiser => "The other screen is behind a VPN, proxy or Tor.",
        _ when Requester.Hosting => "The other screen is on a hosting or cloud network, not a home or office one.",
        _ => "The other screen is on a different network from this phone.",
    };

    public static Proximity Compare(SignInFeatures? requester, SignInFeatures? phone)
    {
        if (requester is null || phone is null)
        {
            return Proximity.Unknown;
        }
        if (requester.Anonymiser || requester.Hosting)
        {
            return Proximity.Elsewhere;
        }
        if ((requester.NetworkKey is not null && requester.NetworkKey == phone.NetworkKey) || (requester.Asn is not null && requester.Asn == phone.Asn))
        {
            return Proximity.Near;
        }
        // Known to differ only when both sides' networks are known.
        return requester.NetworkKey is not null && phone.NetworkKey is not null ? Proximity.Elsewhere : Proximity.Unknown;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(SignInFeatures features) => JsonSerializer.Serialize(features, Json);

    public static SignInFeatures? Deserialize(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<SignInFeatures>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
