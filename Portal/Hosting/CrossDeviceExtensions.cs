using Tessera.Domain.CrossDevice;

namespace Tessera.Portal.Hosting;

public static class CrossDeviceExtensions
{
    public static IHostApplicationBuilder AddCrossDevice(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CrossDeviceOptions>().BindConfiguration(CrossDeviceOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<QrSignIn>();
        return builder;
    }

    public static QrDevice QrDevice(this HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
}
