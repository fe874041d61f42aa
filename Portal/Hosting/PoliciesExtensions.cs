using Microsoft.Extensions.Options;
using Tessera.Domain.Contacts;
using Tessera.Domain.Policies;

namespace Tessera.Portal.Hosting;

public static class PoliciesExtensions
{
    /// <summary>The policy store (defaults from the <c>Policies</c> section, admin edits in the database) and the send limiter.</summary>
    public static IHostApplicationBuilder AddPolicies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PoliciesOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Defaults = ReadDefaults(configuration.GetSection(PoliciesOptions.Section)))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PoliciesOptions>, PoliciesOptionsValidator>();
        builder.Services.AddSingleton<PolicyStore>();
        builder.Services.AddSingleton<IPolicies>(services => services.GetRequiredService<PolicyStore>());
        builder.Services.AddSingleton<ISendLimiter, SendLimiter>();
        return builder;
    }

    /// <summary>The <c>Policies</c> section over the built-in defaults of <see cref="PolicySet"/>.</summary>
    public static PolicySet ReadDefaults(IConfigurationSection section)
    {
        // Checked before the section is bound: the binder's own error for an unknown channel names no setting people know.
        var orderNames = section.GetSection("Delivery:FallbackOrder").Get<string[]>();
        if (orderNames?.FirstOrDefault(name => Channels.Parse(name) is not (Channel.Sms or Channel.Email)) is { } unknown)
        {
            throw new OptionsValidationException(PoliciesOptions.Section, typeof(PolicySet),
                [$"Policies:Delivery:FallbackOrder: '{unknown}' is not a channel for codes; list \"sms\" and/or \"email\"."]);
        }
        var defaults = section.Get<PolicySet>() ?? new PolicySet();
        // The binder appends configured list items to the defaults instead of replacing them: read the lists alone.
        var regions = section.GetSection("Sms:AllowedRegions").Get<string[]>() ?? [];
        IReadOnlyList<Channel> order = orderNames?.Select(name => Channels.Parse(name)!.Value).ToList() ?? [.. new DeliveryPolicy().FallbackOrder];
        var mfaRoles = section.GetSection("Mfa:RequiredForRoles").Get<string[]>() ?? [.. new MfaPolicy().RequiredForRoles];
        return defaults with
        {
            Sms = defaults.Sms with { AllowedRegions = regions },
            Delivery = new DeliveryPolicy { FallbackOrder = order },
            Mfa = defaults.Mfa with { RequiredForRoles = mfaRoles },
        };
    }

    private sealed class PoliciesOptionsValidator : IValidateOptions<PoliciesOptions>
    {
        public ValidateOptionsResult Validate(string? name, PoliciesOptions options)
        {
            var errors = PolicyValidator.Validate(options.Defaults);
            return errors.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(errors.Select(e => $"{PoliciesOptions.Section}:{e.Field}: {e.Message}"));
        }
    }
}
