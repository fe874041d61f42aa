using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using Tessera.Domain.Persistence;
using Tessera.Portal.Delivery;

namespace Tessera.Portal.Hosting;

public static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();

        // Hangfire follows the database choice: its own SQLite file beside the data, or the same PostgreSQL database.
        builder.Services.AddHangfire((services, config) =>
        {
            var jobs = services.GetRequiredService<IOptions<JobsOptions>>().Value;
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (database.ProviderKind == DatabaseProvider.PostgreSql)
            {
                config.UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions { QueuePollInterval = jobs.PollInterval, SchemaName = "hangfire" });
            }
            else
            {
                var tessera = services.GetRequiredService<IOptions<TesseraOptions>>().Value;
                Directory.CreateDirectory(tessera.DataDirectoryFullPath);
                config.UseSQLiteStorage(
                    Path.Combine(tessera.DataDirectoryFullPath, "hangfire.db"),
                    new SQLiteStorageOptions { QueuePollInterval = jobs.PollInterval });
            }
        });

        if (builder.Configuration.GetValue(JobsOptions.Section + ":" + nameof(JobsOptions.RunServer), true))
        {
            builder.Services.AddHangfireServer((services, server) =>
            {
                var jobs = services.GetRequiredService<IOptions<JobsOptions>>().Value;
                server.WorkerCount = jobs.WorkerCount;
                server.SchedulePollingInterval = jobs.PollInterval;
            });
        }
        return builder;
    }

    /// <summary>Recurring jobs under stable ids, so every node registers the same ones without duplicates.</summary>
    public static void RegisterRecurringJobs(this IServiceProvider services)
    {
        var recurring = services.GetRequiredService<IRecurringJobManager>();
        recurring.RemoveIfExists("delivery.sweep-stranded");
        recurring.AddOrUpdate<DeliveryDrainJob>(
            DeliveryDrainJob.SweepJobId, job => job.SweepAsync(CancellationToken.None), Cron.Minutely());
        // Whatever was queued when this node last stopped goes out now, not at the next sweep.
        services.GetRequiredService<HangfireDeliveryTrigger>().Kick();
        recurring.AddOrUpdate<Tessera.Domain.Factors.Passkeys>(
            "passkeys.purge-challenges", passkeys => passkeys.PurgeExpiredChallengesAsync(CancellationToken.None), Cron.Hourly());
        recurring.AddOrUpdate<Tessera.Domain.Audit.AuditCheckpoints>(
            "audit.checkpoint", checkpoints => checkpoints.WriteAsync(CancellationToken.None), Cron.Hourly());
        recurring.AddOrUpdate<Tessera.Domain.Accounts.UserSessions>(
            "sessions.purge", sessions => sessions.PurgeAsync(CancellationToken.None), Cron.Daily(4));
        recurring.AddOrUpdate<Tessera.Domain.Audit.AuditRetention>(
            "audit.retention", retention => retention.ApplyAsync(Tessera.Domain.Audit.AuditRetention.DefaultBatchSize, CancellationToken.None), Cron.Daily(3));
        recurring.AddOrUpdate<KeyRotationJob>(KeyRotationJob.RecurringId, job => job.ScheduledAsync(CancellationToken.None), Cron.Daily(2));
        recurring.AddOrUpdate<Tessera.Domain.Retention.DataRetention>(
            "data.retention", retention => retention.ApplyAsync(Tessera.Domain.Retention.DataRetention.DefaultBatchSize, CancellationToken.None), Cron.Daily(3, 30));
        // A user who stops signing in keeps no history past Risk:HistoryRetention (a sign-in trims its own user's).
        recurring.AddOrUpdate<Tessera.Domain.Risk.RiskEngine>("risk.retention", engine => engine.PurgeAsync(CancellationToken.None), Cron.Daily(3, 45));
    }

    /// <summary>The dashboard sits behind the Admin policy; Hangfire's own local-only filter is replaced by it.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        var options = new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [],
            AppPath = "/admin",
            DashboardTitle = "Tessera jobs",
        };
        // This host's storage, not Hangfire's process-wide JobStorage.Current, which another host may have replaced.
        var storage = endpoints.ServiceProvider.GetRequiredService<JobStorage>();
        endpoints.MapHangfireDashboard("/admin/jobs", options, storage)
            .RequireAuthorization(AccountsExtensions.AdminPolicy);
        return endpoints;
    }
}
