using Tessera.Domain.Keys;

namespace Tessera.Portal.Hosting;

public static class KeysExtensions
{
    public static IHostApplicationBuilder AddKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeysOptions>().BindConfiguration(KeysOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<KeyRotation>();
        builder.Services.AddSingleton<KeyRotationJob>();
        // Every install secret that has versions, with what its owner stores under it.
        builder.Services.AddSingleton<SecretRotation>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Factors.Phones.PhoneNumberSecret>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Challenges.ChallengeCodeSecret>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Challenges.ChallengeDestinationSecret>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Policies.CounterSubjectSecret>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Audit.IpPseudonymSecret>();
        builder.Services.AddSingleton<IVersionedSecret, Tessera.Domain.Audit.AuditCheckpointSecret>();
        return builder;
    }
}
