namespace Tessera.Portal.Cli;

/// <summary>The command line's dispatch, so Program.cs stays the host's wiring: a command runs instead of the server.</summary>
public static class Commands
{
    /// <summary>A command that needs neither the database nor the settings the server checks; null when none was asked for.</summary>
    public static Task<int>? Offline(IServiceProvider services, string[] args) =>
        RiskEvalCommand.IsInvoked(args) ? RiskEvalCommand.RunAsync(services, args)
        : AuditVerifyCommand.IsInvoked(args) ? AuditVerifyCommand.RunAsync(args)
        : null;

    /// <summary>A command that runs on the prepared database (migrated, roles made); null when none was asked for.</summary>
    public static Task<int>? OnDatabase(IServiceProvider services, string[] args) =>
        CreateAdminCommand.IsInvoked(args) ? CreateAdminCommand.RunAsync(services, args)
        : CreateApiClientCommand.IsInvoked(args) ? CreateApiClientCommand.RunAsync(services, args)
        : KeysCommand.IsInvoked(args) ? KeysCommand.RunAsync(services, args)
        : null;
}
