using Tessera.Domain.Keys;

namespace Tessera.Portal.Hosting;

public static class KeysExtensions
{
    public static IHostApplicationBuilder AddKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeysOptions>().BindConfiguration(KeysOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<KeyRotation>();
        builder.Services.AddSingleton<KeyRotationJob>();
        return builder;
    }
}
