using Tessera.Domain.Privacy;
using Tessera.Portal.Endpoints;

namespace Tessera.Portal.Hosting;

public static class PrivacyExtensions
{
    public static IHostApplicationBuilder AddPrivacy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PersonalDataExport>();
        builder.Services.AddSingleton<AccountErasure>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder endpoints) => endpoints.MapPersonalDataExport();
}
