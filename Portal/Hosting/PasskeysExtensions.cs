using Fido2NetLib;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        // A test replaces the FIDO root with its own by registering another MetadataTrustRoot after this.
        builder.Services.AddSingleton(_ => MetadataTrustRoot.Fido());
        // Persistence registers the clock too; this is for a host that has passkeys alone.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IValidateOptions<WebAuthnOptions>, MetadataBlobVerifies>();
        builder.Services.AddSingleton<FileMetadataService>(LoadMetadata);
        // Made at the first ceremony, after the server has started, so that the listening addresses are known.
        builder.Services.AddSingleton<IFido2>(services =>
        {
            var options = services.GetRequiredService<IOptions<WebAuthnOptions>>().Value;
            return CreateFido2(options, Origins(options, services), services.GetRequiredService<FileMetadataService>());
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

    /// <summary>
    /// Fido2 as the app makes it. Without a BLOB it gets no metadata service: registration then asks for no attestation,
    /// so there is no attestation chain to check.
    /// </summary>
    public static Fido2 CreateFido2(WebAuthnOptions options, IEnumerable<string> origins, FileMetadataService metadata) =>
        new(CreateConfiguration(options, origins), metadata.HasBlob ? metadata : null);

    public static Fido2Configuration CreateConfiguration(WebAuthnOptions options, IEnumerable<string> origins) => new()
    {
        RPID = options.ServerDomain.Trim(),
        RPName = options.ServerName,
        Origins = origins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase),
        Timeout = (uint)options.ChallengeTimeoutSeconds * 1000,
        // Only the SafetyNet attestation format reads it; a few minutes of clock skew between phone and server is normal.
        TimestampDriftTolerance = 300_000,
        // Read only with a BLOB. Fido2's defaults, and RETIRED: a model its maker withdrew takes no new passkeys either.
        // NOT_FIDO_CERTIFIED is not here: without an allow-list any model may register, listed in the BLOB or not.
        UndesiredAuthenticatorMetadataStatuses =
        [
            AuthenticatorStatus.ATTESTATION_KEY_COMPROMISE,
            AuthenticatorStatus.USER_VERIFICATION_BYPASS,
            AuthenticatorStatus.USER_KEY_REMOTE_COMPROMISE,
            AuthenticatorStatus.USER_KEY_PHYSICAL_COMPROMISE,
            AuthenticatorStatus.REVOKED,
            AuthenticatorStatus.RETIRED,
        ],
    };

    private static FileMetadataService LoadMetadata(IServiceProvider services)
    {
        var path = services.GetRequiredService<IOptions<WebAuthnOptions>>().Value.MetadataBlobPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            return FileMetadataService.None;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // Verified again, though MetadataBlobVerifies passed it at start: the file may have been replaced since.
        var metadata = FileMetadataService.Load(path, services.GetRequiredService<MetadataTrustRoot>().Certificate, now);
        var logger = services.GetRequiredService<ILogger<FileMetadataService>>();
        logger.LogInformation(new EventId(1301, "MetadataBlobLoaded"),
            "FIDO metadata BLOB {Number} loaded from {Path}: {Count} authenticator models, next update due {NextUpdate}",
            metadata.Number, path, metadata.Count, metadata.NextUpdate);
        if (metadata.IsStale(now))
        {
            logger.LogWarning(new EventId(1302, "MetadataBlobStale"),
                "The FIDO metadata BLOB at {Path} was due to be replaced on {NextUpdate}: download the current one from https://mds3.fidoalliance.org/, or models revoked since then are still accepted",
                path, metadata.NextUpdate);
        }
        return metadata;
    }

    /// <summary>At start, so that a forged, damaged or expired BLOB stops the app naming the setting, not the first registration.</summary>
    private sealed class MetadataBlobVerifies(MetadataTrustRoot root, TimeProvider time) : IValidateOptions<WebAuthnOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebAuthnOptions options)
        {
            // No BLOB, or a missing file, which WebAuthnOptions.Validate already reports.
            if (string.IsNullOrWhiteSpace(options.MetadataBlobPath) || !File.Exists(options.MetadataBlobPath))
            {
                return ValidateOptionsResult.Success;
            }
            try
            {
                FileMetadataService.Load(options.MetadataBlobPath, root.Certificate, time.GetUtcNow());
                return ValidateOptionsResult.Success;
            }
            catch (MetadataBlobException ex)
            {
                return ValidateOptionsResult.Fail(
                    $"WebAuthn:MetadataBlobPath is '{options.MetadataBlobPath}', which is not a FIDO metadata BLOB this app can trust: {ex.Message}");
            }
        }
    }
}
