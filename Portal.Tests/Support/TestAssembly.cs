// Hangfire keeps process-wide state (JobStorage.Current, its log provider bound to a host's ILoggerFactory).
// Several app hosts alive at once in one test process would read each other's disposed services, so test
// classes run one after another; each host starts after the previous one is disposed.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
