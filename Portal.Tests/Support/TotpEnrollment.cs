using System.Net;
using System.Text.RegularExpressions;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Tests.Support;

/// <summary>An authenticator app enrolled through the domain service, and its codes posted to the second-step page.</summary>
public static partial class TotpEnrollment
{
    public static async Task<byte[]> EnrollAsync(TesseraFactory factory, string userId, string email)
    {
        var authenticators = factory.Services.GetRequiredService<Authenticators>();
        var pending = Authenticators.Offer("Tessera", email);
        Assert.NotNull(await authenticators.ConfirmAsync(userId, "Phone", pending, OneTimeCodes.ComputeTotp(pending.Secret, DateTimeOffset.UtcNow), factory.Services.GetRequiredService<Tessera.Domain.Accounts.StepUpProofs>().Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.AddFactor)));
        Assert.True(await factory.Services.GetRequiredService<FactorLifecycle>().HasSecondFactorAsync(userId));
        return pending.Secret;
    }

    /// <summary>The enrollment used the current step; the next one is still inside the ±1 window.</summary>
    public static string NextStepCode(byte[] secret) => OneTimeCodes.ComputeTotp(secret, DateTimeOffset.UtcNow.AddSeconds(30));

    public static async Task<HttpResponseMessage> PostCodeAsync(HttpClient client, Uri page, string code, bool rememberBrowser = false)
    {
        var html = await client.GetStringAsync(page);
        var token = WebUtility.HtmlDecode(TokenRegex().Match(html).Groups[1].Value);
        var form = new Dictionary<string, string>
        {
            ["_handler"] = "login-2fa",
            ["__RequestVerificationToken"] = token,
            ["Input.Code"] = code,
        };
        if (rememberBrowser)
        {
            form["Input.RememberBrowser"] = "true";
        }
        return await client.PostAsync(page, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
