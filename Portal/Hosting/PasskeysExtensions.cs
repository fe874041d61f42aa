using Fido2NetLib;
using Microsoft.Extensions.Options;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Hosting;

public static class PasskeysExtensions
{
    public static IHostApplicationBuilder AddPasskeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebAuthnOptions>().BindConfiguration(WebAuthnOptions.Section)
            .PostConfigure<IConfiguration>(ReplaceLists)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IFido2>(services => new Fido2(CreateConfiguration(services.GetRequiredService<IOptions<WebAuthnOptions>>().Value)));
        builder.Services.AddSingleton<AuthenticatorModels>();
        builder.Services.AddSingleton<Passkeys>();
        builder.Services.AddSingleton<PasskeyModelPolicy>();
        return builder;
    }

    // The binder appends configured items to a list that already has defaults, so production origins would come on top of
    // http://localhost:5080. A list that is configured replaces the default instead.
    private static void ReplaceLists(WebAuthnOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(WebAuthnOptions.Section);
        if (section.GetSection(nameof(WebAuthnOptions.Origins)).Exists())
        {
            options.Origins = section.GetSection(nameof(WebAuthnOptions.Origins)).Get<List<string>>() ?? [];
        }
        if (section.GetSection(nameof(WebAuthnOptions.AllowedAaguids)).Exists())
        {
            options.AllowedAaguids = section.GetSection(nameof(WebAuthnOptions.AllowedAaguids)).Get<List<Guid>>() ?? [];
        }
    }

    /// <summary>No metadata service: registration asks for no attestation, so there is no attestation chain to check.</summary>
    public static Fido2Configuration CreateConfiguration(WebAuthnOptions options) => new()
    {
        RPID = options.ServerDomain.Trim(),
        RPName = options.ServerName,
        Origins = options.Origins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase),
        Timeout = (uint)options.ChallengeTimeoutSeconds * 1000,
        // Only the SafetyNet attestation format reads it; a few minutes of clock skew between phone and server is normal.
        TimestampDriftTolerance = 300_000,
    };
}
