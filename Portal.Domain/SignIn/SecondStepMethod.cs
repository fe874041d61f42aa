using Tessera.Domain.Contacts;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;

namespace Tessera.Domain.SignIn;

public enum SecondStepKind
{
    Passkey,
    AuthenticatorApp,
    Push,
    Code,
}

/// <summary>One way to finish a sign-in's second step, as the page offers it.</summary>
/// <param name="Target">For <see cref="SecondStepKind.Code"/>: where the code goes.</param>
/// <param name="DeviceId">For <see cref="SecondStepKind.Push"/>: the push device.</param>
public sealed record SecondStepMethod(SecondStepKind Kind, string Name, DateTimeOffset? LastUsedAt, CodeTarget? Target = null, Guid? DeviceId = null)
{
    private const string PushPrefix = "Push to ";

    /// <summary>For <see cref="SecondStepKind.Push"/>: the device's name ("Pixel 8").</summary>
    public string? DeviceName => Kind == SecondStepKind.Push ? Name[PushPrefix.Length..] : null;

    /// <summary>
    /// The user's ways, the one to offer first at the top: the one used most recently, else the strongest (a passkey,
    /// which cannot be phished, then an authenticator app, then a push approval, then a texted code, then an emailed
    /// one). Push devices are left out when <paramref name="offerPush"/> is false (paused after denials).
    /// </summary>
    public static IReadOnlyList<SecondStepMethod> Order(IReadOnlyList<FactorSummary> factors, IReadOnlyList<CodeTarget> codeTargets, bool offerPush = true)
    {
        var passkeys = factors.Count(f => f.Kind == FactorKind.Passkey);
        var authenticators = factors.Count(f => f.Kind == FactorKind.AuthenticatorApp);
        DateTimeOffset? LastUsed(FactorKind kind) => factors.Where(f => f.Kind == kind).Max(f => f.LastUsedAt);
        var methods = new List<SecondStepMethod>();
        if (passkeys > 0)
        {
            methods.Add(new(SecondStepKind.Passkey, "Passkey", LastUsed(FactorKind.Passkey)));
        }
        if (authenticators > 0)
        {
            methods.Add(new(SecondStepKind.AuthenticatorApp, "Authenticator app", LastUsed(FactorKind.AuthenticatorApp)));
        }
        foreach (var device in factors.Where(f => f.Kind == FactorKind.PushDevice && offerPush))
        {
            methods.Add(new(SecondStepKind.Push, PushPrefix + device.Name, device.LastUsedAt, DeviceId: device.Id));
        }
        foreach (var target in codeTargets)
        {
            var lastUsed = target.PhoneId is { } phoneId ? factors.FirstOrDefault(f => f.Kind == FactorKind.Phone && f.Id == phoneId)?.LastUsedAt : null;
            var name = target.Channel == Channel.Sms ? $"Text message to {target.Masked}" : $"Email to {target.Masked}";
            methods.Add(new(SecondStepKind.Code, name, lastUsed, target));
        }
        // Stable: among never-used methods the order above (the strength order) stays.
        return methods.OrderByDescending(m => m.LastUsedAt ?? DateTimeOffset.MinValue).ToList();
    }
}
