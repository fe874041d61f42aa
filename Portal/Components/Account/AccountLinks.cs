using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Domain.Accounts;

namespace Tessera.Portal.Components.Account;

/// <summary>Builds the emailed links of the Identity pages (confirm email, reset password) and sends them.</summary>
internal sealed class AccountLinks(UserManager<ApplicationUser> users, IEmailSender<ApplicationUser> sender, NavigationManager navigation)
{
    public async Task SendConfirmationAsync(ApplicationUser user, string? returnUrl = null)
    {
        var token = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = navigation.GetUriWithQueryParameters(
            navigation.ToAbsoluteUri("Account/ConfirmEmail").AbsoluteUri,
            new Dictionary<string, object?> { ["userId"] = user.Id, ["code"] = token, ["returnUrl"] = returnUrl });
        await sender.SendConfirmationLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    public async Task SendPasswordResetAsync(ApplicationUser user)
    {
        var token = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = navigation.GetUriWithQueryParameters(
            navigation.ToAbsoluteUri("Account/ResetPassword").AbsoluteUri,
            new Dictionary<string, object?> { ["code"] = token });
        await sender.SendPasswordResetLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    /// <summary>Decodes a token from a link; null when the link was mangled (a clear error, not a 500).</summary>
    public static string? TryDecode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
}
