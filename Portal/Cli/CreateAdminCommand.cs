using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.SignIn;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Cli;

/// <summary>
/// <c>create-admin --email a@example.com</c>: creates the user (or finds it) and grants the Admin role, then exits.
/// The password comes from TESSERA_ADMIN_PASSWORD or a prompt; it is never taken from the command line,
/// where it would end up in shell history and the process list. Running it again changes nothing.
/// </summary>
internal static class CreateAdminCommand
{
    public const string Name = "create-admin";
    public const string PasswordVariable = "TESSERA_ADMIN_PASSWORD";

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader? input = null, TextWriter? output = null)
    {
        output ??= Console.Out;
        var email = EmailArgument(args);
        if (email is null || !new EmailAddressAttribute().IsValid(email))
        {
            await output.WriteLineAsync($"Usage: dotnet run --project Portal -- {Name} --email <address>   (password from {PasswordVariable} or a prompt)");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            var password = Environment.GetEnvironmentVariable(PasswordVariable) ?? ReadPassword(input, output);
            if (string.IsNullOrEmpty(password))
            {
                await output.WriteLineAsync($"No password given: set {PasswordVariable} or type one at the prompt.");
                return 2;
            }

            // The operator proves control of the address by running this on the server, so it counts as confirmed.
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                await output.WriteLineAsync($"Could not create {email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
                return 1;
            }
            await users.AddToRoleAsync(user, Roles.User);
            await audit.RecordAsync(new AuditEntry(AuditEventTypes.Registered, AuditOutcome.Success, user.Id, user.Id, Detail: "created by create-admin"));
            await output.WriteLineAsync($"Created {email}.");
        }

        if (await users.IsInRoleAsync(user, Roles.Admin))
        {
            await output.WriteLineAsync($"{email} is already an admin; nothing changed.");
            return 0;
        }

        var granted = await users.AddToRoleAsync(user, Roles.Admin);
        if (!granted.Succeeded)
        {
            await output.WriteLineAsync($"Could not grant Admin to {email}: {string.Join(" ", granted.Errors.Select(e => e.Description))}");
            return 1;
        }
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.RoleGranted, AuditOutcome.Success, SubjectId: user.Id, Detail: $"role={Roles.Admin}; by create-admin"));
        await output.WriteLineAsync($"{email} is now an admin.");
        var mfa = await services.GetRequiredService<MfaRequirement>().StatusAsync(user.Id, await users.GetRolesAsync(user));
        if (mfa.Owed)
        {
            await output.WriteLineAsync(mfa.Overdue
                ? "Admins must add a second factor: at the first sign-in, add a passkey or an authenticator app before anything else."
                : $"Admins must add a second factor: add a passkey or an authenticator app by {mfa.Deadline:yyyy-MM-dd HH:mm} UTC (Policies:Mfa:GraceDays), or sign-in leads to enrolment first.");
        }
        return 0;
    }

    private static string? EmailArgument(string[] args)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--email" && i + 1 < args.Length)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith("--email=", StringComparison.Ordinal))
            {
                return args[i]["--email=".Length..];
            }
        }
        return null;
    }

    private static string? ReadPassword(TextReader? input, TextWriter output)
    {
        output.Write("Password for the new admin: ");
        if (input is not null || Console.IsInputRedirected)
        {
            return (input ?? Console.In).ReadLine();
        }

        // Typed at a terminal: read key by key so the password is not echoed.
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.WriteLine();
                return password.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
