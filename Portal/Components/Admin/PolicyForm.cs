using Tessera.Domain.Contacts;
using Tessera.Domain.Policies;

namespace Tessera.Portal.Components.Admin;

/// <summary>
/// The policies page's editable copy of a <see cref="PolicySet"/>, in the units people type (minutes, seconds), with the
/// validation errors of the last save attempt by field.
/// </summary>
public sealed class PolicyForm
{
    /// <summary>The choices for the fallback order, as stored and as shown.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> FallbackChoices =
    [
        ("sms,email", "SMS, then email"),
        ("email,sms", "Email, then SMS"),
        ("sms", "SMS only"),
        ("email", "Email only"),
    ];

    public int CodeLength { get; set; }

    public int LifetimeMinutes { get; set; }

    public int MaxChecks { get; set; }

    public int ResendCooldownSeconds { get; set; }

    public int MaxSends { get; set; }

    public int TotpWindow { get; set; }

    public bool EmailAsSecondFactor { get; set; }

    public List<LimitRow> Limits { get; } = [];

    /// <summary>ISO codes separated by commas or spaces; empty means the default region only.</summary>
    public string AllowedRegions { get; set; } = "";

    public int DailyCap { get; set; }

    public string FallbackOrder { get; set; } = "sms,email";

    public bool MfaForAdmins { get; set; }

    public bool MfaForUsers { get; set; }

    public int MfaGraceDays { get; set; }

    public RiskMode RiskMode { get; set; } = RiskMode.Enforce;

    public double RiskStepUpAt { get; set; } = 1.0;

    public double RiskDenyAt { get; set; } = 6.0;

    public NoBaselineRule RiskWithoutBaseline { get; set; }

    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();

    public static PolicyForm From(PolicySet policies)
    {
        var otp = policies.Otp;
        var form = new PolicyForm
        {
            CodeLength = otp.CodeLength,
            LifetimeMinutes = (int)Math.Round(otp.Lifetime.TotalMinutes),
            MaxChecks = otp.MaxChecks,
            ResendCooldownSeconds = (int)Math.Round(otp.ResendCooldown.TotalSeconds),
            MaxSends = otp.MaxSends,
            TotpWindow = otp.TotpWindow,
            EmailAsSecondFactor = otp.EmailAsSecondFactor,
            AllowedRegions = string.Join(", ", policies.Sms.AllowedRegions),
            DailyCap = policies.Sms.DailyCap,
            FallbackOrder = string.Join(",", policies.Delivery.FallbackOrder.Select(c => c.Name())),
            MfaForAdmins = policies.Mfa.RequiredForRoles.Contains("Admin"),
            MfaForUsers = policies.Mfa.RequiredForRoles.Contains("User"),
            MfaGraceDays = policies.Mfa.GraceDays,
            RiskMode = (policies.Risk ?? new RiskPolicy()).Mode,
            RiskStepUpAt = (policies.Risk ?? new RiskPolicy()).StepUpAt,
            RiskDenyAt = (policies.Risk ?? new RiskPolicy()).DenyAt,
            RiskWithoutBaseline = (policies.Risk ?? new RiskPolicy()).WithoutBaseline,
        };
        foreach (var (name, label, limit) in PolicyValidator.RateLimits(policies.RateLimits))
        {
            form.Limits.Add(new LimitRow(name, label) { Limit = limit?.Limit ?? 1, WindowMinutes = (int)Math.Round(limit?.Window.TotalMinutes ?? 60) });
        }
        return form;
    }

    public PolicySet ToPolicySet()
    {
        RateLimit Limit(string name) => Limits.Single(l => l.Name == name) is var row
            ? new RateLimit(row.Limit, TimeSpan.FromMinutes(row.WindowMinutes))
            : throw new InvalidOperationException();
        return new PolicySet
        {
            Otp = new OtpPolicy
            {
                CodeLength = CodeLength,
                Lifetime = TimeSpan.FromMinutes(LifetimeMinutes),
                MaxChecks = MaxChecks,
                ResendCooldown = TimeSpan.FromSeconds(ResendCooldownSeconds),
                MaxSends = MaxSends,
                TotpWindow = TotpWindow,
                EmailAsSecondFactor = EmailAsSecondFactor,
            },
            RateLimits = new RateLimitPolicy
            {
                PerUser = Limit("PerUser"),
                PerDestination = Limit("PerDestination"),
                PerIp = Limit("PerIp"),
                PerApiClient = Limit("PerApiClient"),
                PerCountry = Limit("PerCountry"),
            },
            Sms = new SmsPolicy
            {
                AllowedRegions = AllowedRegions.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(r => r.ToUpperInvariant()).ToArray(),
                DailyCap = DailyCap,
            },
            Delivery = new DeliveryPolicy { FallbackOrder = FallbackOrder.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(name => Channels.Parse(name) ?? (Channel)(-1)).ToList() },
            Mfa = new MfaPolicy
            {
                RequiredForRoles = [.. MfaForAdmins ? ["Admin"] : Array.Empty<string>(), .. MfaForUsers ? ["User"] : Array.Empty<string>()],
                GraceDays = MfaGraceDays,
            },
            Risk = new RiskPolicy { Mode = RiskMode, StepUpAt = RiskStepUpAt, DenyAt = RiskDenyAt, WithoutBaseline = RiskWithoutBaseline },
        };
    }

    /// <summary>Validates as the store will, and keeps the errors for the fields to show.</summary>
    public bool Validate()
    {
        Errors = PolicyValidator.Validate(ToPolicySet()).GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.First().Message);
        return Errors.Count == 0;
    }

    public void ShowErrors(IEnumerable<PolicyError> errors) =>
        Errors = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.First().Message);

    public string? ErrorOf(string field) => Errors.GetValueOrDefault(field);

    public sealed class LimitRow(string name, string label)
    {
        public string Name { get; } = name;

        public string Label { get; } = label;

        public int Limit { get; set; }

        public int WindowMinutes { get; set; }
    }
}
