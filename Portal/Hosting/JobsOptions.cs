using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Hosting;

/// <summary>The <c>Jobs</c> section: the Hangfire server of this node.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>How often an idle worker looks for new jobs. Short, so a confirmation email leaves within a second or two.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00", ErrorMessage = "Jobs:PollInterval must be between 00:00:00.2 and 00:01:00.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 64, ErrorMessage = "Jobs:WorkerCount must be between 1 and 64.")]
    public int WorkerCount { get; set; } = 2;

    /// <summary>False runs no Hangfire server on this node (it still enqueues and shows the dashboard).</summary>
    public bool RunServer { get; set; } = true;
}
