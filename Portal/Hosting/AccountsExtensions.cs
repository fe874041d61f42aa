using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Persistence;
using Tessera.Portal.Components.Account;
using Tessera.Portal.Http;

namespace Tessera.Portal.Hosting;

public static class AccountsExtensions
{
    public const string AdminPolicy = "Admin";

    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountsOptions>().BindConfiguration(AccountsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AccountLinks>();
        services.AddScoped<SignInCookies>();
        services.AddSingleton<Tessera.Domain.SignIn.NetworkThrottle>();
        services.AddSingleton<SignInCodeState>();
        services.AddScoped<UserDirectory>();
        services.AddScoped<AccountAdministration>();
        services.AddSingleton<AccountFacts>();
        services.AddScoped<AccountSettings>();
        services.AddSingleton(services =>
        {
            var a = services.GetRequiredService<IOptions<AccountsOptions>>().Value;
            return new FailureLimits(a.MaxFailedAccessAttempts, TimeSpan.FromMinutes(a.LockoutMinutes), a.MaxFailedAttemptsPerDay, a.MaxFailuresPerNetworkPerHour);
        });
        services.AddMemoryCache();
        services.AddSingleton<UserSessions>();
        services.AddSingleton<SessionGuard>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddScoped<CircuitExit>();
        services.AddScoped<CircuitHandler, SessionCircuitHandler>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.LogoutPath = "/Account/Logout";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.Cookie.Name = "Tessera.Auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Each cookie is one UserSession row: sign-in starts it, every request checks it, sign-out ends it.
            cookie.Events.OnSigningIn = SessionCookieEvents.SigningInAsync;
            cookie.Events.OnValidatePrincipal = SessionCookieEvents.ValidatePrincipalAsync;
            cookie.Events.OnSigningOut = SessionCookieEvents.SigningOutAsync;
            // A signed-in user without the role gets a real 403 (rendered by the status page), not a redirect.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));

        services.AddIdentityCore<ApplicationUser>()
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenOptions.ProviderName);
        services.AddOptions<PasswordResetTokenOptions>().Configure<IOptions<AccountsOptions>>((reset, accounts) =>
        {
            reset.Name = PasswordResetTokenOptions.ProviderName;
            reset.TokenLifespan = accounts.Value.ResetLinkLifetime;
        });
        // Confirmation and change-of-address links: a day.
        services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = TimeSpan.FromDays(1));
        services.AddSingleton(services => new PasswordRules(services.GetRequiredService<IOptions<TesseraOptions>>().Value.ApplicationName));
        services.AddScoped<IPasswordValidator<ApplicationUser>>(services => services.GetRequiredService<PasswordRules>());

        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountsOptions>>((identity, accounts) =>
        {
            var a = accounts.Value;
            identity.SignIn.RequireConfirmedAccount = a.RequireConfirmedEmail;
            identity.SignIn.RequireConfirmedEmail = a.RequireConfirmedEmail;
            identity.User.RequireUniqueEmail = true;
            identity.Tokens.PasswordResetTokenProvider = PasswordResetTokenOptions.ProviderName;
            identity.Lockout.AllowedForNewUsers = true;
            identity.Lockout.MaxFailedAccessAttempts = a.MaxFailedAccessAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(a.LockoutMinutes);
            identity.Password.RequiredLength = a.MinimumPasswordLength;
            // Length beats composition rules (NIST SP 800-63B): no forced symbols or digits.
            identity.Password.RequireNonAlphanumeric = false;
            identity.Password.RequireDigit = false;
            identity.Password.RequireUppercase = false;
            identity.Password.RequireLowercase = false;
        });
        return builder;
    }

    /// <summary>Creates the roles once; safe on every start and on every node.</summary>
    public static async Task EnsureRolesAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }
}
