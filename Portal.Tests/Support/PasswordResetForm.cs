using System.Net;
using System.Text.RegularExpressions;

namespace Tessera.Portal.Tests.Support;

/// <summary>Opens an emailed reset link and submits its form, as a browser without JavaScript would.</summary>
public static partial class PasswordResetForm
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, Uri link, string email, string password)
    {
        var page = await client.GetStringAsync(link.PathAndQuery);
        var code = WebUtility.HtmlDecode(HiddenCodeRegex().Match(page).Groups[1].Value);
        var token = WebUtility.HtmlDecode(TokenRegex().Match(page).Groups[1].Value);
        return await client.PostAsync(link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "reset-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Code"] = code,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        }));
    }

    /// <summary>The reset link in an email's text.</summary>
    public static Uri LinkIn(string mail) => new(ResetLinkRegex().Match(mail).Value);

    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\?[^\s""<]+")]
    private static partial Regex ResetLinkRegex();

    [GeneratedRegex("name=\"Input.Code\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenCodeRegex();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
