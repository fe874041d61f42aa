using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Hosting;

/// <summary>The reset links' own lifetime (<c>Accounts:ResetLinkLifetime</c>), shorter than the confirmation links' day.</summary>
public sealed class PasswordResetTokenOptions : DataProtectionTokenProviderOptions
{
    public const string ProviderName = "TesseraPasswordReset";
}

/// <summary>
/// Reset tokens: Identity's Data Protection tokens under their own purpose and lifetime. A token carries the security
/// stamp, which the reset itself rotates, so each link works once.
/// </summary>
public sealed class PasswordResetTokenProvider(
    IDataProtectionProvider protection, IOptions<PasswordResetTokenOptions> options, ILogger<DataProtectorTokenProvider<ApplicationUser>> logger)
    : DataProtectorTokenProvider<ApplicationUser>(protection, options, logger);
