using Microsoft.Extensions.Options;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors.Push;
using Tessera.Domain.Keys;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Hosting;

/// <summary>Web Push: push devices (Factors), push approvals (CrossDevice), the push channel and the VAPID key.</summary>
public static class PushExtensions
{
    public static IHostApplicationBuilder AddPush(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PushOptions>, LoopbackOnlyInDevelopment>();
        services.AddSingleton<VapidKeys>();
        services.AddSingleton<IVersionedSecret, VapidSecret>();
        services.AddSingleton<PushDevices>();
        services.AddSingleton<PushApprovals>();
        services.AddSingleton<PushPasswordless>();
        services.AddHttpClient(WebPushChannel.HttpClientName, (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<PushOptions>>().Value.SendTimeout);
        services.AddSingleton<IMessageChannel, WebPushChannel>();
        services.AddScoped<Endpoints.Api.PushVerifications>();
        return builder;
    }

    public static ClientDevice ClientDevice(this HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());

    private sealed class LoopbackOnlyInDevelopment(IHostEnvironment environment) : IValidateOptions<PushOptions>
    {
        public ValidateOptionsResult Validate(string? name, PushOptions options) =>
            options.AllowLoopbackEndpoints && !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail(
                    $"Push:AllowLoopbackEndpoints lets pushes go to http://127.0.0.1 and is allowed only in the Development environment (this is '{environment.EnvironmentName}'). Remove it.")
                : ValidateOptionsResult.Success;
    }
}
