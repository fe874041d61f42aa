using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Delivery;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Hosting;

public static class DeliveryExtensions
{
    public static IHostApplicationBuilder AddDelivery(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, OutboxOnlyInDevelopment>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmsOptions>, SmsOutboxOnlyInDevelopment>();
        services.AddHttpClient(SmsOptions.HttpClientName, (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<SmsOptions>>().Value.Timeout);

        // One channel per kind, chosen by configuration (Email:Transport, Delivery:Sms:Provider).
        services.AddSingleton<SmtpEmailChannel>();
        services.AddSingleton<OutboxEmailChannel>();
        services.AddSingleton<OutboxSmsChannel>();
        services.AddSingleton<GatewaySmsChannel>();
        services.AddSingleton<TwilioSmsChannel>();
        services.AddSingleton<UnconfiguredSmsChannel>();
        services.AddSingleton<IMessageChannel>(provider =>
            provider.GetRequiredService<IOptions<EmailOptions>>().Value.Transport.Equals(EmailOptions.SmtpTransport, StringComparison.OrdinalIgnoreCase)
                ? provider.GetRequiredService<SmtpEmailChannel>()
                : provider.GetRequiredService<OutboxEmailChannel>());
        services.AddSingleton<IMessageChannel>(provider =>
        {
            var sms = provider.GetRequiredService<IOptions<SmsOptions>>().Value;
            return sms.Is(SmsOptions.GatewayProvider) ? provider.GetRequiredService<GatewaySmsChannel>()
                : sms.Is(SmsOptions.TwilioProvider) ? provider.GetRequiredService<TwilioSmsChannel>()
                : sms.Is(SmsOptions.OutboxProvider) ? provider.GetRequiredService<OutboxSmsChannel>()
                : provider.GetRequiredService<UnconfiguredSmsChannel>();
        });

        services.AddSingleton<HangfireDeliveryTrigger>();
        services.AddSingleton<IDeliveryTrigger>(provider => provider.GetRequiredService<HangfireDeliveryTrigger>());
        services.AddSingleton<MessageQueue>();
        services.AddSingleton<DeliveryEngine>();
        services.AddScoped<DeliveryDrainJob>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<IEmailSender<ApplicationUser>, QueuedEmailSender>();
        return builder;
    }

    /// <summary>/dev/* exists only in Development; everywhere else it is a plain 404.</summary>
    public static IApplicationBuilder UseDevelopmentOnlyPaths(this IApplicationBuilder app)
    {
        var environment = app.ApplicationServices.GetRequiredService<IHostEnvironment>();
        return app.Use(async (context, next) =>
        {
            if (!environment.IsDevelopment() && context.Request.Path.StartsWithSegments("/dev"))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
    }

    private sealed class OutboxOnlyInDevelopment(IHostEnvironment environment) : IValidateOptions<EmailOptions>
    {
        public ValidateOptionsResult Validate(string? name, EmailOptions options) =>
            string.Equals(options.Transport, EmailOptions.OutboxTransport, StringComparison.OrdinalIgnoreCase) && !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail(
                    $"Email:Transport is 'Outbox', which keeps mail in the database instead of sending it and is allowed only in the Development environment (this is '{environment.EnvironmentName}'). Set Email:Transport to 'Smtp' and configure Email:Smtp.")
                : ValidateOptionsResult.Success;
    }

    private sealed class SmsOutboxOnlyInDevelopment(IHostEnvironment environment) : IValidateOptions<SmsOptions>
    {
        public ValidateOptionsResult Validate(string? name, SmsOptions options) =>
            options.Is(SmsOptions.OutboxProvider) && !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail(
                    $"Delivery:Sms:Provider is 'Outbox', which keeps text messages in the database instead of sending them and is allowed only in the Development environment (this is '{environment.EnvironmentName}'). Set Delivery:Sms:Provider to 'Gateway', 'Twilio' or 'None'.")
                : ValidateOptionsResult.Success;
    }
}
