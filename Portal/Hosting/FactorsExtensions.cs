using Tessera.Domain.Accounts;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Microsoft.Extensions.Options;

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
        builder.Services.AddSingleton<FactorLifecycle>();
        builder.Services.AddSingleton<UserPhones>();
        builder.Services.AddSingleton<SignInCodes>();
        builder.Services.AddSingleton<SecurityNotices>();
        builder.Services.AddSingleton<NotMeLinks>();
        builder.Services.AddSingleton(services => new SecurityNoticeSettings(
            services.GetRequiredService<IOptions<TesseraOptions>>().Value.ApplicationName,
            () => services.GetRequiredService<PublicUrls>().BaseUri.AbsoluteUri));
        builder.Services.AddSingleton<Tessera.Domain.SignIn.StepUp>();
        return builder;
    }
}
