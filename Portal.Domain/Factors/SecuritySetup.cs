namespace Tessera.Domain.Factors;

/// <summary>What the security center recommends next.</summary>
public enum SetupStep
{
    /// <summary>No passkey yet: the strongest factor, and one that cannot be phished.</summary>
    AddPasskey,

    /// <summary>One method only: losing it would leave the recovery codes as the way back in.</summary>
    AddSecondMethod,

    /// <summary>Few or no recovery codes left.</summary>
    RenewRecoveryCodes,

    /// <summary>Nothing left to do.</summary>
    Done,
}

public sealed record SetupCheck(string Text, bool Done);

/// <summary>
/// The security center's status at a glance: whether 2-step verification is on and with how many methods, the one
/// recommended next step, and a short checklist (two methods, recovery codes, a verified phone or email).
/// </summary>
public sealed record SecuritySetup(int Methods, bool HasPasskey, int RecoveryCodesLeft, bool HasVerifiedContact)
{
    public const int FewRecoveryCodes = 3;

    public static SecuritySetup Of(IReadOnlyList<FactorSummary> factors, int recoveryCodesLeft, bool emailConfirmed) => new(
        factors.Count,
        factors.Any(f => f.Kind == FactorKind.Passkey),
        recoveryCodesLeft,
        emailConfirmed || factors.Any(f => f.Kind == FactorKind.Phone));

    public bool IsOn => Methods > 0;

    /// <summary>"2-step verification is off" / "2-step verification is on, with 3 methods".</summary>
    public string Headline => Methods switch
    {
        0 => "2-step verification is off",
        1 => "2-step verification is on, with 1 method",
        _ => $"2-step verification is on, with {Methods} methods",
    };

    public SetupStep Next =>
        !HasPasskey ? SetupStep.AddPasskey
        : Methods < 2 ? SetupStep.AddSecondMethod
        : RecoveryCodesLeft < FewRecoveryCodes ? SetupStep.RenewRecoveryCodes
        : SetupStep.Done;

    public IReadOnlyList<SetupCheck> Checklist =>
    [
        new("At least two ways to sign in, so that losing one does not lock you out", Methods >= 2),
        new(RecoveryCodesLeft > 0 ? $"Recovery codes ready ({RecoveryCodesLeft} left): keep them somewhere safe" : "Recovery codes ready, for when no other method is at hand", RecoveryCodesLeft >= FewRecoveryCodes),
        new("A verified phone number or email address", HasVerifiedContact),
    ];
}
