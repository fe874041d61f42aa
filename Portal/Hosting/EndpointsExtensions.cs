using Tessera.Portal.Endpoints;

namespace Tessera.Portal.Hosting;

public static class EndpointsExtensions
{
    /// <summary>Every page and endpoint group of the app, each module's own MapXxx.</summary>
    public static WebApplication MapTessera(this WebApplication app)
    {
        app.MapUi();
        app.MapJobsDashboard();
        app.MapAdminAudit();
        app.MapHealth();
        app.MapWebAuthn();
        app.MapQrSignIn();
        app.MapPush();
        app.MapPrivacy();
        app.MapOtpApi();
        return app;
    }
}
