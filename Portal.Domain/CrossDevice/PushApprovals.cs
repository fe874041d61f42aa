using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Domain.Audit;
using Tessera.Domain.Contacts;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors.Push;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.CrossDevice;

/// <summary>
/// Push approvals: Pending -> Approved -> Redeemed (a sign-in), or Pending -> Approved (an API verification, final), or
/// Denied / Expired on the way. Every transition is one conditional update whose row count decides, so the phone on one
/// node and the waiting browser on another agree. The approver must type the number the asking screen shows: a request
/// someone else made (MFA fatigue, a phished password) shows its number only to them. Requests are rationed per user.
/// </summary>
public sealed class PushApprovals(
    IDbContextFactory<PortalDbContext> dbFactory,
    PushDevices devices,
    MessageQueue queue,
    IDeliveryTrigger trigger,
    AuditLog audit,
    IpPseudonymizer pseudonymizer,
    SecurityNotices notices,
    SecurityNoticeSettings settings,
    IOptions<PushOptions> options,
    TimeProvider time,
    Risk.RiskEngine? risk = null)
{
    public const int MaxMessageLength = 256;

    /// <summary>Anti-fatigue: at most this many requests per user in <see cref="RequestWindow"/>.</summary>
    public const int MaxRequestsPerWindow = 3;

    public static readonly TimeSpan RequestWindow = TimeSpan.FromMinutes(10);

    /// <summary>After this many denials within <see cref="PauseWindow"/>, push is not offered until the hour has passed.</summary>
    public const int DenialsBeforePause = 2;

    public static readonly TimeSpan PauseWindow = TimeSpan.FromHours(1);

    /// <summary>After approval the waiting browser has this long to redeem; it polls every second.</summary>
    public static readonly TimeSpan RedeemWindow = TimeSpan.FromSeconds(60);

    private static readonly PushApprovalStatus[] Live = [PushApprovalStatus.Pending, PushApprovalStatus.Approved];

    /// <summary>
    /// Whether push may be offered to this user now (they have a push device and are not paused by denials), and if
    /// not, why, for the page.
    /// </summary>
    public async Task<PushAvailability> AvailabilityAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.PushDevices.AnyAsync(d => d.UserId == userId, cancellationToken))
        {
            return new PushAvailability(false, null);
        }
        return await RationAsync(db, userId, now, cancellationToken) is { } refusal
            ? new PushAvailability(refusal.Outcome != PushRequestOutcome.Paused, refusal)
            : new PushAvailability(true, null);
    }

    /// <summary>
    /// Sends an approval request to the user's push devices (one of them, or all): the request row and one queued
    /// message per device commit together, then delivery starts. The caller shows <see cref="PushRequested.Number"/>
    /// and keeps <see cref="PushRequested.BrowserNonce"/> in an HttpOnly cookie; the link token goes only into the push.
    /// </summary>
    public async Task<PushRequestResult> RequestAsync(PushRequest request, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var targets = (await devices.TargetsAsync(request.UserId, request.DeviceId, cancellationToken)).Where(t => t.Id != request.ExceptDeviceId).ToList();
        if (targets.Count == 0)
        {
            return new PushRequestResult(PushRequestOutcome.NoDevices);
        }
        if (await RationAsync(db, request.UserId, now, cancellationToken) is { } refusal)
        {
            await RecordAsync(AuditEventTypes.PushRequested, AuditOutcome.Failure, request.UserId, request.Requester, $"refused: {refusal.Reason}", cancellationToken);
            return refusal;
        }

        var ips = await pseudonymizer.PseudonymsAsync(request.Requester?.IpAddress, cancellationToken);
        Risk.SignInFeatures? features = null;
        if (risk is not null && request.Requester is { } requester)
        {
            features = (await risk.FeaturesAsync(new Risk.RiskAttempt(requester.IpAddress, requester.UserAgent, null), cancellationToken)).Features;
        }
        // 128 random bits each; only hashes are stored.
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        var nonce = request.Kind != PushApprovalKind.Api ? Base64Url(RandomNumberGenerator.GetBytes(16)) : null;
        var lifetime = options.Value.ApprovalLifetime;
        var approval = new PushApproval
        {
            UserId = request.UserId,
            Kind = request.Kind,
            TokenHash = QrSignIn.Hash(token),
            BrowserNonceHash = nonce is null ? null : QrSignIn.Hash(nonce),
            ClientId = request.ClientId,
            Number = RandomNumberGenerator.GetInt32(10, 100),
            ExpiresAt = now + lifetime,
            RequesterDevice = UserAgentSummary.Summarize(request.Requester?.UserAgent),
            RequesterIpPseudonym = ips.Count > 0 ? ips[0] : null,
            RequesterFeatures = features is null ? null : QrPlaces.Serialize(features),
            MaskedDestination = request.MaskedDestination,
            Message = request.Message is { Length: > 0 } m ? (m.Length > MaxMessageLength ? m[..MaxMessageLength] : m) : null,
            CreatedAt = now,
        };
        db.PushApprovals.Add(approval);
        var place = QrSide.Of(features).Place;
        var messageIds = targets.Select(target => queue.Stage(db, new MessageDraft(
            Channel.Push, target.Id.ToString(), settings.ProductName,
            HtmlBody: null, TextBody: Payload(approval, token, place), Reference: $"push:{approval.Id:N}", Purpose: "push-approval",
            MaskedRecipient: target.Name))).ToList();
        await db.SaveChangesAsync(cancellationToken);

        // Two requests racing past the ration both committed: the older stands, the newer is withdrawn before any push.
        var firstPending = await db.PushApprovals.Where(a => a.UserId == request.UserId && a.Status == PushApprovalStatus.Pending && a.ExpiresAt > now)
            .OrderBy(a => a.Id).Select(a => a.Id).FirstAsync(cancellationToken);
        if (firstPending != approval.Id)
        {
            await db.PushApprovals.Where(a => a.Id == approval.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, PushApprovalStatus.Expired), cancellationToken);
            await db.OutboundMessages.Where(o => messageIds.Contains(o.Id) && o.Status == MessageStatus.Pending).ExecuteDeleteAsync(cancellationToken);
            await RecordAsync(AuditEventTypes.PushRequested, AuditOutcome.Failure, request.UserId, request.Requester, "refused: another request is open", cancellationToken);
            return new PushRequestResult(PushRequestOutcome.OnePending, Reason: "A request is already waiting on your device. Answer it, or wait for it to expire.");
        }
        foreach (var id in messageIds)
        {
            trigger.Queued(id);
        }
        await RecordAsync(AuditEventTypes.PushRequested, AuditOutcome.Success, request.UserId, request.Requester,
            $"request={approval.Id}; kind={approval.Kind}; devices={targets.Count}" + (request.ClientId is null ? "" : $"; client={request.ClientId}"), cancellationToken);
        return new PushRequestResult(PushRequestOutcome.Sent, new PushRequested(approval.Id, nonce, approval.Number, approval.ExpiresAt, targets.Select(t => t.Name).ToList()));
    }

    /// <summary>What the approval page shows; null unless the request is this user's and still open.</summary>
    public async Task<PushApprovalView?> ViewAsync(string token, string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = QrSignIn.Hash(token);
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.TokenHash == hash, cancellationToken);
        if (row is null || row.UserId != userId || Effective(row, now) != PushApprovalStatus.Pending)
        {
            return null;
        }
        var side = QrSide.Of(QrPlaces.Deserialize(row.RequesterFeatures));
        return new PushApprovalView(row.Id, row.Kind, row.RequesterDevice, side.Place, side.Network, row.Message, row.CreatedAt, row.ExpiresAt);
    }

    /// <summary>
    /// The approver typed a number: the right one approves, anything else ends the request (a guess gets no second
    /// try). Returns the status afterwards.
    /// </summary>
    public async Task<PushApprovalStatus> ApproveAsync(string token, string userId, string? typedNumber, ClientDevice approver, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var hash = QrSignIn.Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mine = db.PushApprovals.Where(a => a.TokenHash == hash && a.UserId == userId && a.Status == PushApprovalStatus.Pending && a.ExpiresAt > now);
        var number = int.TryParse(typedNumber?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
        // A sign-in then has a minute to be redeemed; an API verification is decided once approved.
        var approved = await mine.Where(a => a.Number == number).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, PushApprovalStatus.Approved)
            .SetProperty(a => a.DecidedAt, now)
            .SetProperty(a => a.ExpiresAt, a => a.Kind != PushApprovalKind.Api ? now + RedeemWindow : a.ExpiresAt), cancellationToken);
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.TokenHash == hash, cancellationToken);
        if (approved == 1)
        {
            await RecordAsync(AuditEventTypes.PushApproved, AuditOutcome.Success, userId, approver, Describe(row!), cancellationToken);
            return PushApprovalStatus.Approved;
        }
        var ended = await mine.Where(a => a.Number != number).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, PushApprovalStatus.Denied).SetProperty(a => a.DecidedAt, now), cancellationToken) == 1;
        await RecordAsync(AuditEventTypes.PushApproved, AuditOutcome.Failure, userId, approver,
            row is null ? "refused: unknown token" : $"{Describe(row)}; refused: {(ended ? "wrong number, request ended" : Effective(row, now).ToString())}", cancellationToken);
        return row is null || row.UserId != userId ? PushApprovalStatus.Expired : ended ? PushApprovalStatus.Denied : Effective(row, now);
    }

    /// <summary>
    /// "Deny", or "This wasn't me", which also emails the user and raises an alert: whoever asked knows the password.
    /// </summary>
    public async Task<bool> DenyAsync(string token, string userId, bool thisWasntMe, ClientDevice approver, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var hash = QrSignIn.Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var denied = await db.PushApprovals
            .Where(a => a.TokenHash == hash && a.UserId == userId && a.Status == PushApprovalStatus.Pending && a.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, PushApprovalStatus.Denied).SetProperty(a => a.DecidedAt, now)
                .SetProperty(a => a.NotMe, thisWasntMe), cancellationToken) == 1;
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.TokenHash == hash && a.UserId == userId, cancellationToken);
        var detail = row is null ? "unknown token" : Describe(row);
        await RecordAsync(AuditEventTypes.PushDenied, denied ? AuditOutcome.Success : AuditOutcome.Failure, userId, approver,
            denied ? detail : $"{detail}; refused: not open", cancellationToken);
        if (thisWasntMe && row is not null)
        {
            // Raised even when the deny itself came too late: the user saw a request they did not make.
            await RecordAsync(AuditEventTypes.PushNotMe, AuditOutcome.Failure, userId, approver, $"{detail}; the user did not start this request", cancellationToken);
            await notices.PushNotMeAsync(userId, row.RequesterDevice, QrSide.Of(QrPlaces.Deserialize(row.RequesterFeatures)).Place, cancellationToken);
        }
        return denied;
    }

    /// <summary>What the asking browser polls; null unless <paramref name="browserNonce"/> is that browser's.</summary>
    public async Task<PushApprovalStatus?> StatusAsync(Guid id, string? browserNonce, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(browserNonce))
        {
            return null;
        }
        var nonceHash = QrSignIn.Hash(browserNonce);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.BrowserNonceHash == nonceHash, cancellationToken);
        return row is null ? null : await RecordExpiryAsync(db, row, cancellationToken);
    }

    /// <summary>An API client's request, for that client only; null for anyone else's or an unknown id.</summary>
    public async Task<PushApprovalStatus?> StatusForClientAsync(Guid id, string clientId, CancellationToken cancellationToken = default) =>
        (await GetForClientAsync(id, clientId, cancellationToken))?.Status;

    /// <summary>An API request's details for its client (status, expiry, created); null for anyone else.</summary>
    public async Task<PushApproval?> GetForClientAsync(Guid id, string clientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.ClientId == clientId && a.Kind == PushApprovalKind.Api, cancellationToken);
        if (row is not null)
        {
            row.Status = await RecordExpiryAsync(db, row, cancellationToken);
        }
        return row;
    }

    /// <summary>Approved -> Redeemed, once, by the browser that asked, for the user it asked for, within the redeem window.</summary>
    public async Task<bool> RedeemAsync(Guid id, string? browserNonce, string userId, ClientDevice browser, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var redeemed = 0;
        if (!string.IsNullOrEmpty(browserNonce))
        {
            var nonceHash = QrSignIn.Hash(browserNonce);
            redeemed = await db.PushApprovals
                .Where(a => a.Id == id && a.BrowserNonceHash == nonceHash && a.UserId == userId && (a.Kind == PushApprovalKind.SignIn || a.Kind == PushApprovalKind.StepUp)
                    && a.Status == PushApprovalStatus.Approved && a.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, PushApprovalStatus.Redeemed).SetProperty(a => a.RedeemedAt, now), cancellationToken);
        }
        var row = await db.PushApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        await RecordAsync(AuditEventTypes.PushRedeemed, redeemed == 1 ? AuditOutcome.Success : AuditOutcome.Failure, userId, browser,
            row is null ? $"request={id}; refused: unknown" : redeemed == 1 ? Describe(row) : $"{Describe(row)}; refused: {Effective(row, now)}, or another browser or user", cancellationToken);
        return redeemed == 1;
    }

    /// <summary>Why a new request may not be sent now, or null: too many lately, one open, or paused after denials.</summary>
    private async Task<PushRequestResult?> RationAsync(PortalDbContext db, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - PauseWindow;
        var recent = await db.PushApprovals.AsNoTracking().Where(a => a.UserId == userId && a.CreatedAt > since)
            .Select(a => new { a.Status, a.CreatedAt, a.DecidedAt, a.ExpiresAt }).ToListAsync(cancellationToken);
        var denials = recent.Where(a => a.Status == PushApprovalStatus.Denied && a.DecidedAt > since).OrderBy(a => a.DecidedAt).ToList();
        if (denials.Count >= DenialsBeforePause)
        {
            var until = denials[^DenialsBeforePause].DecidedAt!.Value + PauseWindow;
            return new PushRequestResult(PushRequestOutcome.Paused, RetryAt: until,
                Reason: "Push approvals are paused for an hour because two requests were denied. Use another way to sign in.");
        }
        if (recent.Any(a => a.Status == PushApprovalStatus.Pending && a.ExpiresAt > now))
        {
            return new PushRequestResult(PushRequestOutcome.OnePending, Reason: "A request is already waiting on your device. Answer it, or wait for it to expire.");
        }
        var inWindow = recent.Where(a => a.CreatedAt > now - RequestWindow).OrderBy(a => a.CreatedAt).ToList();
        if (inWindow.Count >= MaxRequestsPerWindow)
        {
            var until = inWindow[^MaxRequestsPerWindow].CreatedAt + RequestWindow;
            return new PushRequestResult(PushRequestOutcome.TooMany, RetryAt: until,
                Reason: $"Only {MaxRequestsPerWindow} push requests can be sent in {RequestWindow.TotalMinutes:0} minutes. Wait a few minutes, or use another way.");
        }
        return null;
    }

    private string Payload(PushApproval approval, string token, string? place)
    {
        var what = approval.Kind == PushApprovalKind.Api ? approval.Message ?? "An app asks you to approve a request"
            : approval.Kind == PushApprovalKind.StepUp ? "Confirm it is you, to make a change in your security center"
            : $"{(approval.Kind == PushApprovalKind.Passwordless ? "Sign-in request without a password" : "Sign-in request")}: {approval.RequesterDevice ?? "unknown browser"}, {(place is null ? "location unknown" : $"approximately {place}")}";
        // The service worker opens the link relative to its own origin, and writes the time in the phone's time zone.
        return JsonSerializer.Serialize(new
        {
            title = $"{settings.ProductName}: approve this?",
            body = what,
            url = $"/push/{token}",
            tag = $"push-{approval.Id:N}",
            at = approval.CreatedAt.ToUnixTimeMilliseconds(),
            expiresAt = approval.ExpiresAt.ToUnixTimeMilliseconds(),
        });
    }

    private async Task<PushApprovalStatus> RecordExpiryAsync(PortalDbContext db, PushApproval row, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = Effective(row, now);
        if (status == PushApprovalStatus.Expired && row.Status != PushApprovalStatus.Expired
            && await db.PushApprovals.Where(a => a.Id == row.Id && Live.Contains(a.Status) && a.ExpiresAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, PushApprovalStatus.Expired), cancellationToken) == 1)
        {
            await RecordAsync(AuditEventTypes.PushExpired, AuditOutcome.Failure, row.UserId, null, $"{Describe(row)}; was {row.Status}", cancellationToken);
        }
        return status;
    }

    // An approved API verification stays approved: its expiry only bounds the answer, not the result.
    internal static PushApprovalStatus Effective(PushApproval row, DateTimeOffset now) =>
        Live.Contains(row.Status) && row.ExpiresAt <= now && !(row.Kind == PushApprovalKind.Api && row.Status == PushApprovalStatus.Approved)
            ? PushApprovalStatus.Expired
            : row.Status;

    internal static string Describe(PushApproval row) =>
        $"request={row.Id}; kind={row.Kind}; requester={row.RequesterDevice ?? "unknown"}; requester ip={row.RequesterIpPseudonym ?? "unknown"}";

    private Task RecordAsync(string type, AuditOutcome outcome, string? userId, ClientDevice? device, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEntry(type, outcome, userId, userId, device?.IpAddress, device?.UserAgent, detail), cancellationToken);

    internal static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
