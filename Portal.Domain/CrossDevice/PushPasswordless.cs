using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Factors.Push;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.CrossDevice;

/// <summary>
/// Push sign-in without a password, the QR page's alternative, on top of <see cref="PushApprovals"/>: a real request to
/// an account's devices, or a decoy nobody can approve, so the page tells nobody who has an account; and the redeem of
/// a passwordless approval into the approver's user id.
/// </summary>
public sealed class PushPasswordless(
    IDbContextFactory<PortalDbContext> dbFactory, PushApprovals approvals, AuditLog audit, IpPseudonymizer pseudonymizer, IOptions<PushOptions> options, TimeProvider time)
{
    /// <summary>
    /// The QR page's alternative: a push to the devices of whoever has <paramref name="userId"/> (null: no such account),
    /// answered alike whether or not the account exists, has a push device or is rationed, so the page tells nobody
    /// who has an account: those get a request that nothing can approve, which expires. Only a cap on the live
    /// requests from one network is said out loud (it says nothing about any account).
    /// </summary>
    public async Task<PushRequestResult> RequestPasswordlessAsync(string? userId, ClientDevice requester, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var ips = await pseudonymizer.PseudonymsAsync(requester.IpAddress, cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var fromHere = ips.Count == 0
                ? db.PushApprovals.Where(a => a.RequesterIpPseudonym == null)
                : db.PushApprovals.Where(a => ips.Contains(a.RequesterIpPseudonym!));
            if (await fromHere.CountAsync(a => a.Kind == PushApprovalKind.Passwordless && a.Status == PushApprovalStatus.Pending && a.ExpiresAt > now, cancellationToken) >= MaxLivePasswordlessPerNetwork)
            {
                return new PushRequestResult(PushRequestOutcome.TooMany, Reason: "Too many sign-in requests are open from your network. Wait a couple of minutes and try again.");
            }
        }
        if (userId is not null)
        {
            var real = await approvals.RequestAsync(new PushRequest(userId, PushApprovalKind.Passwordless, null, requester), cancellationToken);
            if (real.Outcome == PushRequestOutcome.Sent)
            {
                return real;
            }
        }
        return await DecoyAsync(requester, ips.Count > 0 ? ips[0] : null, now, cancellationToken);
    }

    /// <summary>At most this many passwordless requests may be open from one network (the QR page's cap, for push).</summary>
    public const int MaxLivePasswordlessPerNetwork = 5;

    /// <summary>
    /// The passwordless approval, redeemed once by the browser that asked; returns the approver's user id to sign in, or
    /// null. The second step's and step-up's approvals are never redeemed here, nor these there.
    /// </summary>
    public async Task<string?> RedeemPasswordlessAsync(Guid id, string? browserNonce, ClientDevice browser, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var redeemed = 0;
        if (!string.IsNullOrEmpty(browserNonce))
        {
            var nonceHash = QrSignIn.Hash(browserNonce);
            redeemed = await db.PushApprovals
                .Where(a => a.Id == id && a.BrowserNonceHash == nonceHash && a.Kind == PushApprovalKind.Passwordless
                    && a.Status == PushApprovalStatus.Approved && a.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, PushApprovalStatus.Redeemed).SetProperty(a => a.RedeemedAt, now), cancellationToken);
        }
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        await audit.RecordAsync(new AuditEntry(AuditEventTypes.PushRedeemed, redeemed == 1 ? AuditOutcome.Success : AuditOutcome.Failure, redeemed == 1 ? row!.UserId : null, redeemed == 1 ? row!.UserId : null, browser.IpAddress, browser.UserAgent,
            row is null ? $"request={id}; refused: unknown" : redeemed == 1 ? PushApprovals.Describe(row) : $"{PushApprovals.Describe(row)}; refused: {PushApprovals.Effective(row, now)}, another browser, or not passwordless"), cancellationToken);
        return redeemed == 1 ? row!.UserId : null;
    }

    // Looks like a request to the asking browser (a number, a nonce, a row it can poll) but goes to nobody.
    private async Task<PushRequestResult> DecoyAsync(ClientDevice requester, string? ipPseudonym, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nonce = PushApprovals.Base64Url(RandomNumberGenerator.GetBytes(16));
        var decoy = new PushApproval
        {
            UserId = NobodyId,
            Kind = PushApprovalKind.Passwordless,
            TokenHash = RandomNumberGenerator.GetBytes(32),
            BrowserNonceHash = QrSignIn.Hash(nonce),
            Number = RandomNumberGenerator.GetInt32(10, 100),
            ExpiresAt = now + options.Value.ApprovalLifetime,
            RequesterDevice = UserAgentSummary.Summarize(requester.UserAgent),
            RequesterIpPseudonym = ipPseudonym,
            CreatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.PushApprovals.Add(decoy);
        await db.SaveChangesAsync(cancellationToken);
        return new PushRequestResult(PushRequestOutcome.Sent, new PushRequested(decoy.Id, nonce, decoy.Number, decoy.ExpiresAt, []));
    }

    /// <summary>The user of a request that goes to nobody: no account has this id, so nothing can approve it.</summary>
    internal const string NobodyId = "nobody";
}
