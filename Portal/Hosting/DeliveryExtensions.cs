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
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, OutboxOnlyInDevelopment>();
        builder.Services.AddSingleton<IMessageChannel, SmtpEmailChannel>();
        builder.Services.AddSingleton<IMessageChannel, OutboxEmailChannel>();
        builder.Services.AddSingleton<IMessageChannel, OutboxSmsChannel>();
        builder.Services.AddSingleton<IDeliveryTrigger, HangfireDeliveryTrigger>();
        builder.Services.AddSingleton<MessageQueue>();
        builder.Services.AddScoped<EmailDeliveryJob>();
        builder.Services.AddSingleton<EmailOutbox>();
        builder.Services.AddSingleton<IEmailSender<ApplicationUser>, QueuedEmailSender>();
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
}
