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
        // Made at the first ceremony, after the server has started, so that the listening addresses are known.
        builder.Services.AddSingleton<IFido2>(services =>
        {
            var options = services.GetRequiredService<IOptions<WebAuthnOptions>>().Value;
            return new Fido2(CreateConfiguration(options, Origins(options, services)));
        });
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

    /// <summary>The configured origins, or when there are none, those of the public and (in Development) listening addresses.</summary>
    public static IReadOnlyList<string> Origins(WebAuthnOptions options, IServiceProvider services)
    {
        if (options.Origins.Count > 0)
        {
            return options.Origins;
        }
        var domain = options.ServerDomain.Trim();
        // Only an origin on the relying party id can pass a ceremony; 127.0.0.1 cannot when the id is localhost.
        return services.GetRequiredService<PublicUrls>().DefaultWebAuthnOrigins()
            .Where(origin => WebAuthnOptions.OriginError(origin, domain) is null).ToList();
    }

    /// <summary>No metadata service: registration asks for no attestation, so there is no attestation chain to check.</summary>
    public static Fido2Configuration CreateConfiguration(WebAuthnOptions options, IEnumerable<string> origins) => new()
    {
        RPID = options.ServerDomain.Trim(),
        RPName = options.ServerName,
        Origins = origins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase),
        Timeout = (uint)options.ChallengeTimeoutSeconds * 1000,
        // Only the SafetyNet attestation format reads it; a few minutes of clock skew between phone and server is normal.
        TimestampDriftTolerance = 300_000,
    };
}
