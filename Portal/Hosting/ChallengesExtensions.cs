using Microsoft.Extensions.Options;
using Tessera.Domain.Challenges;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Hosting;

public static class ChallengesExtensions
{
    public static IHostApplicationBuilder AddChallenges(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PhoneOptions>().BindConfiguration(PhoneOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Challenges>();
        builder.Services.AddSingleton(services => new ChallengeTextSettings(
            services.GetRequiredService<IOptions<TesseraOptions>>().Value.ApplicationName,
            // Android fills the code only on the host named in the message's last line: the public host.
            services.GetRequiredService<PublicUrls>().Configured?.IdnHost ?? services.GetRequiredService<IOptions<WebAuthnOptions>>().Value.ServerDomain));
        builder.Services.AddSingleton<ChallengeTexts>();
        builder.AddPolicies();
        return builder;
    }
}
