using System.Collections.Frozen;
using System.Text.Json;

namespace Tessera.Domain.Factors;

/// <summary>Friendly names of passkey providers by AAGUID, from the community list shipped inside this assembly.</summary>
public sealed class AuthenticatorModels
{
    public const string Unknown = "Security key or passkey";

    private const string ResourceName = "Tessera.Domain.Factors.Passkeys.passkey-provider-aaguids.json";

    private readonly FrozenDictionary<Guid, string> names;

    public AuthenticatorModels()
    {
        using var stream = typeof(AuthenticatorModels).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        var entries = JsonSerializer.Deserialize<Dictionary<string, string>>(stream) ?? [];
        names = entries
            .Where(e => Guid.TryParse(e.Key, out _) && !string.IsNullOrWhiteSpace(e.Value))
            .ToFrozenDictionary(e => Guid.Parse(e.Key), e => e.Value.Trim());
    }

    /// <summary>The provider's name, or <see cref="Unknown"/> (also for the all-zero AAGUID that many keys report).</summary>
    public string NameOf(Guid aaguid) => names.GetValueOrDefault(aaguid, Unknown);

    /// <summary>Every known model, by name: what an admin picks from when building an allow-list.</summary>
    public IReadOnlyList<(Guid Aaguid, string Name)> All =>
        names.OrderBy(n => n.Value, StringComparer.OrdinalIgnoreCase).Select(n => (n.Key, n.Value)).ToList();
}
