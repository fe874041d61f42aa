using Tessera.Domain.Audit;

namespace Tessera.Portal.Hosting;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IpPseudonymizer>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditSearch>();
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
