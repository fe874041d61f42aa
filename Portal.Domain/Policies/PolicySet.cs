using Tessera.Domain.Contacts;

namespace Tessera.Domain.Policies;

/// <summary>
/// Every policy an admin can change at run time (on /admin/policies), as one immutable snapshot. Defaults come from
/// configuration; admin edits are stored in the database, validated and audited, and take effect without a restart.
/// Read it through <see cref="IPolicies"/> on each use rather than keeping a copy.
/// </summary>
public sealed record PolicySet
{
    public OtpPolicy Otp { get; init; } = new();

    public RateLimitPolicy RateLimits { get; init; } = new();

    public SmsPolicy Sms { get; init; } = new();

    public DeliveryPolicy Delivery { get; init; } = new();

    public MfaPolicy Mfa { get; init; } = new();

    public RiskPolicy Risk { get; init; } = new();
}

public enum RiskMode
{
    /// <summary>Sign-ins are not scored.</summary>
    Off,

    /// <summary>Scored and audited with the decision it would take, never enforced: for tuning the thresholds.</summary>
    DryRun,

    Enforce,
}

/// <summary>What a sign-in of a user with fewer than 2 earlier sign-ins (no reliable baseline) gets.</summary>
public enum NoBaselineRule
{
    /// <summary>Step-up when the user has a second factor; allowed when they have none.</summary>
    StepUpWithFactor,

    /// <summary>Step-up always (a user without a factor verifies their email).</summary>
    StepUp,

    Allow,
}

public enum RiskDecision
{
    Allow,
    StepUp,
    Deny,
}

/// <summary>The behavioural risk engine's thresholds, on its score (log10 of the likelihood ratio; see Risk.RiskModel).</summary>
public sealed record RiskPolicy
{
    public RiskMode Mode { get; init; } = RiskMode.Enforce;

    /// <summary>A score at or above this asks for a step-up, even on a remembered device.</summary>
    public double StepUpAt { get; init; } = 1.0;

    /// <summary>A score at or above this refuses the sign-in.</summary>
    public double DenyAt { get; init; } = 6.0;

    public NoBaselineRule WithoutBaseline { get; init; } = NoBaselineRule.StepUpWithFactor;

    /// <summary>The decision for a score; <paramref name="hasBaseline"/> false applies <see cref="WithoutBaseline"/> below the deny threshold.</summary>
    public RiskDecision Decide(double score, bool hasBaseline, bool hasFactor) =>
        score >= DenyAt ? RiskDecision.Deny
        : !hasBaseline ? WithoutBaseline switch
        {
            NoBaselineRule.StepUp => RiskDecision.StepUp,
            NoBaselineRule.StepUpWithFactor when hasFactor => RiskDecision.StepUp,
            _ => RiskDecision.Allow,
        }
        : score >= StepUpAt ? RiskDecision.StepUp
        : RiskDecision.Allow;
}

/// <summary>Who must have a second factor, and how long they have to add one.</summary>
public sealed record MfaPolicy
{
    /// <summary>Roles whose members must add a passkey or an authenticator app ("Admin", "User").</summary>
    public IReadOnlyList<string> RequiredForRoles { get; init; } = ["Admin"];

    /// <summary>Days a member has, from the account's creation or the role's grant, before enrolment is forced; 0: at once.</summary>
    public int GraceDays { get; init; } = 7;
}

/// <summary>One-time codes sent by message, and the authenticator-app window.</summary>
public sealed record OtpPolicy
{
    /// <summary>Digits, 6 to 10.</summary>
    public int CodeLength { get; init; } = 6;

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks per challenge, wrong and right together.</summary>
    public int MaxChecks { get; init; } = 5;

    public TimeSpan ResendCooldown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages per challenge, the first one included.</summary>
    public int MaxSends { get; init; } = 5;

    /// <summary>TOTP steps accepted either side of now (0 to 2).</summary>
    public int TotpWindow { get; init; } = 1;

    /// <summary>
    /// Whether an emailed code may serve as a second factor at sign-in. Off by default: NIST SP 800-63B rev 4 does not
    /// count email as an authenticator.
    /// </summary>
    public bool EmailAsSecondFactor { get; init; }
}

/// <summary>At most <see cref="Limit"/> sends within any <see cref="Window"/>.</summary>
public sealed record RateLimit(int Limit, TimeSpan Window);

/// <summary>Abuse limits on sending codes; each refusal answers 429 with Retry-After.</summary>
public sealed record RateLimitPolicy
{
    public RateLimit PerUser { get; init; } = new(10, TimeSpan.FromHours(1));

    public RateLimit PerDestination { get; init; } = new(5, TimeSpan.FromHours(1));

    public RateLimit PerIp { get; init; } = new(20, TimeSpan.FromHours(1));

    public RateLimit PerApiClient { get; init; } = new(1000, TimeSpan.FromHours(1));

    public RateLimit PerCountry { get; init; } = new(500, TimeSpan.FromHours(1));
}

/// <summary>SMS-pumping defences.</summary>
public sealed record SmsPolicy
{
    /// <summary>ISO regions SMS may go to ("GB", "IE"); empty means the configured default region only.</summary>
    public IReadOnlyList<string> AllowedRegions { get; init; } = [];

    /// <summary>Spend guard: SMS sent per UTC day across the whole deployment.</summary>
    public int DailyCap { get; init; } = 1000;
}

public sealed record DeliveryPolicy
{
    /// <summary>Channels tried in order when one gives up, for example ["sms", "email"].</summary>
    public IReadOnlyList<Channel> FallbackOrder { get; init; } = [Channel.Sms, Channel.Email];
}

/// <summary>The current policies. Cheap to call on every request (cached briefly; see the implementation).</summary>
public interface IPolicies
{
    ValueTask<PolicySet> CurrentAsync(CancellationToken cancellationToken = default);
}
