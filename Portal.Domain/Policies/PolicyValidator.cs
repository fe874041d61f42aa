using PhoneNumbers;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Policies;

/// <param name="Field">The setting, as a configuration path under <c>Policies</c> ("Otp:CodeLength").</param>
/// <param name="Message">A sentence naming the setting in words, fit for the admin page.</param>
public sealed record PolicyError(string Field, string Message);

/// <summary>The bounds every policy set must keep, whether it comes from configuration or from the admin page.</summary>
public static class PolicyValidator
{
    /// <summary>The roles a second factor can be required of (Accounts.Roles, named here to keep Policies free of Accounts).</summary>
    public static readonly IReadOnlyList<string> MfaRoles = ["Admin", "User"];

    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    private static readonly HashSet<string> Regions = PhoneNumberUtil.GetInstance().GetSupportedRegions().ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<PolicyError> Validate(PolicySet policies)
    {
        var errors = new List<PolicyError>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors.Add(new PolicyError(field, message));
            }
        }

        var otp = policies.Otp;
        Check(otp.CodeLength is >= 6 and <= 10, "Otp:CodeLength", "Code length must be between 6 and 10 digits.");
        Check(otp.Lifetime >= TimeSpan.FromMinutes(1) && otp.Lifetime <= TimeSpan.FromMinutes(60), "Otp:Lifetime", "Code lifetime must be between 1 and 60 minutes.");
        Check(otp.MaxChecks is >= 1 and <= 10, "Otp:MaxChecks", "Checks per code must be between 1 and 10.");
        Check(otp.ResendCooldown >= TimeSpan.Zero && otp.ResendCooldown <= TimeSpan.FromMinutes(10), "Otp:ResendCooldown", "Resend cooldown must be between 0 and 10 minutes.");
        Check(otp.MaxSends is >= 1 and <= 10, "Otp:MaxSends", "Sends per code must be between 1 and 10.");
        Check(otp.TotpWindow is >= 0 and <= 2, "Otp:TotpWindow", "Authenticator window must be 0, 1 or 2 steps.");

        foreach (var (name, label, limit) in RateLimits(policies.RateLimits))
        {
            Check(limit is { Limit: >= 1 }, $"RateLimits:{name}:Limit", $"{label} limit must be at least 1.");
            Check(limit is not null && limit.Window >= MinWindow && limit.Window <= MaxWindow, $"RateLimits:{name}:Window",
                $"{label} window must be between 1 minute and 7 days.");
        }

        var regions = policies.Sms.AllowedRegions ?? [];
        var badRegion = regions.FirstOrDefault(r => r is null || !Regions.Contains(r));
        Check(regions.Count == 0 || badRegion is null && regions.Distinct(StringComparer.Ordinal).Count() == regions.Count, "Sms:AllowedRegions",
            badRegion is null ? "Allowed SMS countries must not repeat." : $"Allowed SMS countries: '{badRegion}' is not a two-letter ISO country code such as GB or US.");
        Check(policies.Sms.DailyCap >= 0, "Sms:DailyCap", "Daily SMS cap must be 0 or more.");

        var order = policies.Delivery.FallbackOrder ?? [];
        Check(order.Count > 0 && order.All(c => c is Channel.Sms or Channel.Email) && order.Distinct().Count() == order.Count,
            "Delivery:FallbackOrder", "Fallback order must list \"sms\" and/or \"email\", each at most once.");

        var roles = policies.Mfa.RequiredForRoles ?? [];
        Check(roles.All(MfaRoles.Contains) && roles.Distinct(StringComparer.Ordinal).Count() == roles.Count, "Mfa:RequiredForRoles",
            "Second factor required for: each role must be Admin or User, at most once.");
        Check(policies.Mfa.GraceDays is >= 0 and <= 90, "Mfa:GraceDays", "Days to add a second factor must be between 0 and 90.");
        var risk = policies.Risk ?? new RiskPolicy();
        Check(Enum.IsDefined(risk.Mode), "Risk:Mode", "Risk mode must be Off, DryRun or Enforce.");
        Check(risk.StepUpAt is >= 0 and <= 20, "Risk:StepUpAt", "Step-up score must be between 0 and 20.");
        Check(risk.DenyAt is >= 0 and <= 30 && risk.DenyAt > risk.StepUpAt, "Risk:DenyAt", "Deny score must be between 0 and 30 and above the step-up score.");
        Check(Enum.IsDefined(risk.WithoutBaseline), "Risk:WithoutBaseline", "Without a baseline must be StepUpWithFactor, StepUp or Allow.");
        return errors;
    }

    /// <summary>The five abuse limits with their configuration names and labels, in the order the limiter applies them.</summary>
    public static IEnumerable<(string Name, string Label, RateLimit? Limit)> RateLimits(RateLimitPolicy limits) =>
    [
        ("PerUser", "Per-user", limits.PerUser),
        ("PerDestination", "Per-destination", limits.PerDestination),
        ("PerIp", "Per-IP", limits.PerIp),
        ("PerApiClient", "Per-API-client", limits.PerApiClient),
        ("PerCountry", "Per-country", limits.PerCountry),
    ];

    /// <summary>Every setting as (path, value) text, for the audit log's "what changed, from → to".</summary>
    public static IReadOnlyList<(string Field, string Value)> Flatten(PolicySet policies)
    {
        var otp = policies.Otp;
        var fields = new List<(string, string)>
        {
            ("Otp:CodeLength", $"{otp.CodeLength}"),
            ("Otp:Lifetime", $"{otp.Lifetime:c}"),
            ("Otp:MaxChecks", $"{otp.MaxChecks}"),
            ("Otp:ResendCooldown", $"{otp.ResendCooldown:c}"),
            ("Otp:MaxSends", $"{otp.MaxSends}"),
            ("Otp:TotpWindow", $"{otp.TotpWindow}"),
            ("Otp:EmailAsSecondFactor", otp.EmailAsSecondFactor ? "true" : "false"),
        };
        foreach (var (name, _, limit) in RateLimits(policies.RateLimits))
        {
            fields.Add(($"RateLimits:{name}", limit is null ? "none" : $"{limit.Limit} per {limit.Window:c}"));
        }
        fields.Add(("Sms:AllowedRegions", $"[{string.Join(", ", policies.Sms.AllowedRegions ?? [])}]"));
        fields.Add(("Sms:DailyCap", $"{policies.Sms.DailyCap}"));
        fields.Add(("Delivery:FallbackOrder", $"[{string.Join(", ", (policies.Delivery.FallbackOrder ?? []).Select(c => c.Name()))}]"));
        fields.Add(("Mfa:RequiredForRoles", $"[{string.Join(", ", policies.Mfa.RequiredForRoles ?? [])}]"));
        fields.Add(("Mfa:GraceDays", $"{policies.Mfa.GraceDays}"));
        var risk = policies.Risk ?? new RiskPolicy();
        fields.Add(("Risk:Mode", $"{risk.Mode}"));
        fields.Add(("Risk:StepUpAt", risk.StepUpAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fields.Add(("Risk:DenyAt", risk.DenyAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fields.Add(("Risk:WithoutBaseline", $"{risk.WithoutBaseline}"));
        return fields;
    }

    /// <summary>"Otp:CodeLength: 6 → 8; ..." for the settings that differ; empty when none do.</summary>
    public static string Describe(PolicySet before, PolicySet after) => string.Join("; ",
        Flatten(before).Zip(Flatten(after))
            .Where(pair => pair.First.Value != pair.Second.Value)
            .Select(pair => $"{pair.First.Field}: {pair.First.Value} → {pair.Second.Value}"));
}
