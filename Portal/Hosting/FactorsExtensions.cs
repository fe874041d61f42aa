using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Hosting;

public static class FactorsExtensions
{
    public static IHostApplicationBuilder AddFactors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FactorsOptions>().BindConfiguration(FactorsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Authenticators>();
        builder.Services.AddSingleton<RecoveryCodes>();
        builder.Services.AddSingleton<FailedAttempts>();
        builder.Services.AddSingleton<StepUpProofs>();
        builder.Services.AddSingleton<SecondFactorCheck>();
        builder.Services.AddSingleton<TwoFactorFlag>();
        builder.Services.AddSingleton<UserPhones>();
        builder.Services.AddSingleton<SignInCodes>();
        builder.Services.AddSingleton<SecurityNotices>();
        builder.Services.AddSingleton<Tessera.Domain.SignIn.StepUp>();
        return builder;
    }
}
