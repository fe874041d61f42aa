using Microsoft.AspNetCore.DataProtection;
using Tessera.Domain.Risk;
using Tessera.Domain.SignIn;

namespace Tessera.Portal.Hosting;

public static class RiskExtensions
{
    public static IHostApplicationBuilder AddRisk(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RiskOptions>().BindConfiguration(RiskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MaxMindGeoLocator>();
        builder.Services.AddSingleton<IGeoLocator>(services => services.GetRequiredService<MaxMindGeoLocator>());
        builder.Services.AddSingleton<KnownDevices>();
        builder.Services.AddSingleton<RiskEngine>();
        builder.Services.AddSingleton<SignInRisk>();
        // "Your devices" marks the browser looking at it, read from its cookie while the page prerenders.
        builder.Services.AddHttpContextAccessor();
        return builder;
    }

    /// <summary>
    /// Gives every browser that opens a page a long-lived device cookie: a random id, signed and encrypted by Data
    /// Protection (so it cannot be made up or copied from another cookie's value), HttpOnly. It names the browser to the
    /// risk engine and to "Your devices"; it proves nothing by itself until the user signs in from it.
    /// </summary>
    public static WebApplication UseDeviceCookie(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            var isPage = !Path.HasExtension(path) && !path.StartsWith("/_", StringComparison.Ordinal)
                && !path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/v2/", StringComparison.Ordinal)
                && !path.StartsWith("/health", StringComparison.Ordinal);
            if (isPage && DeviceCookie.Read(context) is null)
            {
                DeviceCookie.Issue(context);
            }
            await next(context);
        });
        return app;
    }
}

/// <summary>The device cookie: <see cref="Name"/> holds a Data Protection–protected random id.</summary>
public static class DeviceCookie
{
    public const string Name = "tessera.device";

    private const string Purpose = "Tessera.DeviceCookie.v1";
    private const string ItemKey = "tessera.device-id";

    /// <summary>400 days: the most a browser keeps a cookie (RFC 6265bis).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(400);

    public static string? Read(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var issued) && issued is string id)
        {
            return id;
        }
        if (!context.Request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value) || value.Length > 512)
        {
            return null;
        }
        try
        {
            return Protector(context).Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Forged, from another install, or made under a key that is gone: a new device.
            return null;
        }
    }

    public static void Issue(HttpContext context)
    {
        var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        context.Items[ItemKey] = id;
        context.Response.Cookies.Append(Name, Protector(context).Protect(id), new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            MaxAge = Lifetime,
            IsEssential = true,
            Path = "/",
        });
    }

    private static IDataProtector Protector(HttpContext context) =>
        context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
}
