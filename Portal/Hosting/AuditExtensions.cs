using Tessera.Domain.Audit;

namespace Tessera.Portal.Hosting;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IpPseudonymizer>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditSearch>();
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AuditCheckpoints>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddSingleton<AuditStatistics>();
        builder.Services.AddSingleton<Tessera.Domain.Delivery.DeliveryStatistics>();
        builder.Services.AddSingleton<Tessera.Domain.Factors.FactorStatistics>();
        return builder;
    }

    /// <summary>Records an event with the request's client address and browser, which the log pseudonymises and summarises.</summary>
    public static Task<AuditEvent> RecordAsync(
        this AuditLog log, HttpContext? http, string type, AuditOutcome outcome,
        string? actorId = null, string? subjectId = null, string? detail = null) =>
        log.RecordAsync(new AuditEntry(
            type, outcome, actorId, subjectId ?? actorId,
            http?.Connection.RemoteIpAddress?.ToString(),
            http?.Request.Headers.UserAgent.ToString(),
            detail));
}
