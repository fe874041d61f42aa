using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>
/// Every security email the owner gets carries a "This wasn't me" link that redeems for that user and that notice, once,
/// and every one is audited; only the last email of a deleted account has no link (there is nothing left to undo).
/// </summary>
public sealed partial class SecurityNoticesTests : IAsyncLifetime
{
    private FactorsFixture factors = null!;
    private string userId = "";

    public async Task InitializeAsync()
    {
        factors = await FactorsFixture.CreateAsync();
        userId = await factors.AddUserAsync("ada@example.com");
    }

    public async Task DisposeAsync() => await factors.DisposeAsync();

    public static TheoryData<string> Notices() =>
    [
        "factor-added", "factor-removed", "recovery-codes", "factors-reset", "password-changed", "password-reset", "email-change-requested",
        "email-changed", "locked-failed-attempts", "locked-by-admin", "signed-out-by-admin", "admin-granted", "other-sessions", "qr-not-me",
        "new-sign-in",
    ];

    [Theory]
    [MemberData(nameof(Notices))]
    public async Task EachSecurityEmail_HasAThisWasntMeLinkForItsOwner_UsableOnce_AndIsAudited(string notice)
    {
        var notices = factors.Database.Notices;

        await SendAsync(notices, notice);

        var mail = Assert.Single(await MailAsync());
        Assert.Equal("ada@example.com", mail.Recipient);
        var token = LinkRegex().Match(mail.TextBody!).Groups["token"].Value;
        Assert.NotEmpty(token);
        Assert.Contains(WebUtilityEncoded(token), mail.HtmlBody);
        var links = factors.Database.NotMeLinks;
        var claim = await links.RedeemAsync(token);
        Assert.Equal(userId, claim?.UserId);
        Assert.Null(await links.RedeemAsync(token));
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        var audited = await db.AuditEvents.Where(e => e.Type == AuditEventTypes.SecurityNoticeSent).Select(e => e.Detail).ToListAsync();
        Assert.Contains(audited, d => d!.StartsWith($"notice={claim!.About};", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDeletedAccountsLastEmail_HasNoLink()
    {
        await factors.Database.Notices.AccountDeletedAsync(userId, "ada@example.com", byAdministrator: false);

        var mail = Assert.Single(await MailAsync());
        Assert.DoesNotContain("/Account/NotMe", mail.TextBody);
    }

    private Task SendAsync(SecurityNotices notices, string notice) => notice switch
    {
        "factor-added" => notices.FactorAddedAsync(userId, "The authenticator app", "Phone"),
        "factor-removed" => notices.FactorRemovedAsync(userId, "The passkey", "Laptop"),
        "recovery-codes" => notices.RecoveryCodesRegeneratedAsync(userId),
        "factors-reset" => notices.SecondFactorsResetAsync(userId),
        "password-changed" => notices.PasswordChangedAsync(userId, otherSessionsSignedOut: true),
        "password-reset" => notices.PasswordResetAsync(userId),
        "email-change-requested" => notices.EmailChangeRequestedAsync(userId, "ada@example.com", "n•••@example.org"),
        "email-changed" => notices.EmailChangedAsync(userId, "ada@example.com", "n•••@example.org"),
        "locked-failed-attempts" => notices.AccountLockedAsync(userId, factors.Database.Time.GetUtcNow().AddMinutes(15), "203.0.113.x", everywhere: false),
        "locked-by-admin" => notices.LockedByAdministratorAsync(userId),
        "signed-out-by-admin" => notices.SignedOutByAdministratorAsync(userId, 3),
        "admin-granted" => notices.AdminGrantedAsync(userId),
        "other-sessions" => notices.OtherSessionsSignedOutAsync(userId, 2),
        "qr-not-me" => notices.QrSignInNotMeAsync(userId),
        "new-sign-in" => notices.NewSignInAsync(userId, "Firefox on Windows", "near Stockholm, SE", factors.Database.Time.GetUtcNow()),
        _ => throw new ArgumentOutOfRangeException(nameof(notice)),
    };

    private static string WebUtilityEncoded(string token) => System.Net.WebUtility.HtmlEncode(token);

    private async Task<List<Tessera.Domain.Delivery.OutboundMessage>> MailAsync()
    {
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        return await db.OutboundMessages.AsNoTracking().Where(m => m.Purpose == SecurityNotices.Purpose).ToListAsync();
    }

    [GeneratedRegex(@"/Account/NotMe\?token=(?<token>[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkRegex();
}
