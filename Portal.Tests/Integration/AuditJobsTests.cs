using Hangfire;
using Hangfire.Storage;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

public sealed class AuditJobsTests : IClassFixture<TesseraFactory>
{
    private readonly TesseraFactory factory;

    public AuditJobsTests(TesseraFactory factory) => this.factory = factory;

    [Fact]
    public async Task Start_RegistersTheCheckpointAndRetentionJobsUnderStableIds()
    {
        using var client = factory.CreateBrowserlessClient();
        await Health.WaitForHealthyAsync(client);

        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var ids = connection.GetRecurringJobs().Select(j => j.Id).ToList();

        Assert.Contains("audit.checkpoint", ids);
        Assert.Contains("audit.retention", ids);
    }
}
