using Tessera.Domain.Audit;

namespace Tessera.Portal.Hosting;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IpPseudonymizer>();
        builder.Services.AddSingleton<AuditPseudonyms>();
        builder.Services.AddSingleton<AuditSubjectMigration>();
        builder.Services.AddSingleton<AuditSequencer>();
        builder.Services.AddHostedService<AuditSequencing>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditExport>();
        builder.Services.AddSingleton<AuditRefusals>();
        builder.Services.AddHostedService<AuditRefusalsFlush>();
        builder.Services.AddSingleton<AuditSearch>();
        builder.Services.AddSingleton<Tessera.Domain.Activity.ActivityFeed>();
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AuditCheckpoints>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddOptions<Tessera.Domain.Retention.RetentionOptions>().BindConfiguration(Tessera.Domain.Retention.RetentionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Tessera.Domain.Retention.DataRetention>();
        builder.Services.AddSingleton<AuditStatistics>();
        builder.Services.AddSingleton<Tessera.Domain.Delivery.DeliveryStatistics>();
        builder.Services.AddSingleton<Tessera.Domain.Factors.FactorStatistics>();
        return builder;
    }

    /// <summary>Records an event with the request's client address and browser, which the log pseudonymises and summarises.</summary>
    public static Task RecordAsync(
        this AuditLog log, HttpContext? http, string type, AuditOutcome outcome,
        string? actorId = null, string? subjectId = null, string? detail = null) =>
        log.RecordAsync(new AuditEntry(
            type, outcome, actorId, subjectId ?? actorId,
            http?.Connection.RemoteIpAddress?.ToString(),
            http?.Request.Headers.UserAgent.ToString(),
            detail));

    /// <summary>
    /// Chains staged events shortly after they commit: at once when this node staged some, else every
    /// <see cref="Poll"/> (another node's, or a crash's leftovers). Every node runs it; the sequencer takes turns.
    /// </summary>
    private sealed class AuditSequencing(AuditSequencer sequencer, ILogger<AuditSequencing> logger) : BackgroundService
    {
        public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await sequencer.WaitForWorkAsync(Poll, stoppingToken);
                    await sequencer.FlushAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Nothing is lost: staged events stay staged, and the next round chains them.
                    logger.LogError(new EventId(1202, "AuditSequencingFailed"), ex, "Could not chain staged audit events; retrying");
                    await Task.Delay(Poll, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            try
            {
                await sequencer.FlushAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(new EventId(1202, "AuditSequencingFailed"), ex, "Could not chain staged audit events at shutdown; the next start will");
            }
        }
    }

    /// <summary>Writes the counted repeats of each minute that is over, and all of them at shutdown.</summary>
    private sealed class AuditRefusalsFlush(AuditRefusals refusals, ILogger<AuditRefusalsFlush> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    await FlushAsync(all: false, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            await FlushAsync(all: true, cancellationToken);
        }

        private async Task FlushAsync(bool all, CancellationToken cancellationToken)
        {
            try
            {
                await refusals.FlushAsync(all, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(new EventId(1201, "AuditRefusalsFlushFailed"), ex, "Could not write the counted repeats of refused attempts to the audit log");
            }
        }
    }
}
