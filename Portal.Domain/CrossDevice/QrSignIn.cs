using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Audit;
using Tessera.Domain.Persistence;

namespace Tessera.Domain.CrossDevice;

/// <summary>
/// The QR sign-in state machine: Pending -> Scanned -> Approved -> Redeemed, or Denied / Expired on the way. Each
/// transition is one conditional update whose row count decides, so a phone on one node and a laptop on another
/// cannot both win (approve vs. expire, redeem twice).
/// </summary>
public sealed class QrSignIn(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, AuditLog audit,
    IpPseudonymizer pseudonymizer, IOptions<CrossDeviceOptions> options, Accounts.SecurityNotices? notices = null, Risk.RiskEngine? risk = null)
{
    /// <summary>What a step-up on the phone is for, when the screen's sign-in looked unusual.</summary>
    public const string StepUpPurpose = "crossdevice.approve";

    /// <summary>After approval the laptop has this long to redeem; its page polls every second.</summary>
    public static readonly TimeSpan RedeemWindow = TimeSpan.FromSeconds(60);

    private static readonly QrSignInStatus[] Live = [QrSignInStatus.Pending, QrSignInStatus.Scanned, QrSignInStatus.Approved];

    public async Task<QrCreateResult> CreateAsync(QrDevice laptop, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        // The current version's pseudonym is stored; the address is counted under every version.
        var ips = await pseudonymizer.PseudonymsAsync(laptop.IpAddress, ct);
        var ip = ips.Count > 0 ? ips[0] : null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A soft cap: two requests racing past it make one session too many, which is harmless; it stops floods. The
        // address counts under every key version, so a rotation does not reset it; requests without one share a cap.
        var fromHere = ips.Count == 0
            ? db.QrSignInSessions.Where(s => s.RequesterIpPseudonym == null)
            : db.QrSignInSessions.Where(s => ips.Contains(s.RequesterIpPseudonym!));
        var live = await fromHere.CountAsync(s => Live.Contains(s.Status) && s.ExpiresAt > now, ct);
        if (live >= options.Value.MaxLiveSessionsPerIp)
        {
            await AuditAsync(AuditEventTypes.QrSignInCreated, AuditOutcome.Failure, null, laptop, $"refused: {live} live sessions from this address", ct);
            return new QrCreateResult(QrCreateOutcome.TooManyLiveSessions, null);
        }

        // 128 random bits each: neither can be guessed, and only their hashes are stored.
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        var session = new QrSignInSession
        {
            TokenHash = Hash(token),
            BrowserNonceHash = Hash(nonce),
            Number = RandomNumberGenerator.GetInt32(10, 100),
            ExpiresAt = (now + options.Value.SessionLifetime),
            RequesterIpPseudonym = ip,
            RequesterDevice = UserAgentSummary.Summarize(laptop.UserAgent),
            RequesterFeatures = risk is null ? null : QrPlaces.Serialize((await risk.FeaturesAsync(new Risk.RiskAttempt(laptop.IpAddress, laptop.UserAgent, null), ct)).Features),
            CreatedAt = now,
        };
        db.QrSignInSessions.Add(session);
        await db.SaveChangesAsync(ct);
        await AuditAsync(AuditEventTypes.QrSignInCreated, AuditOutcome.Success, null, laptop, $"session={session.Id}", ct);
        return new QrCreateResult(QrCreateOutcome.Created,
            new QrSignInCreated(session.Id, token, nonce, session.Number, session.ExpiresAt));
    }

    /// <summary>
    /// The phone opened the QR URL: Pending -> Scanned, bound to this user. Opening it again (a reload) by the same
    /// user shows it again; anyone else, or a closed session, gets null.
    /// </summary>
    /// <param name="approverIsAdmin">Administrators are held to <c>CrossDevice:AdminProximity</c>.</param>
    public async Task<QrScanView?> ScanAsync(string token, string userId, QrDevice phone, bool approverIsAdmin = false, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var hash = Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var scanned = await db.QrSignInSessions
            .Where(s => s.TokenHash == hash && s.Status == QrSignInStatus.Pending && s.ExpiresAt > now)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, QrSignInStatus.Scanned)
                .SetProperty(s => s.ApproverUserId, userId)
                .SetProperty(s => s.ScannedAt, now), ct);
        var row = await db.QrSignInSessions.AsNoTracking().SingleOrDefaultAsync(s => s.TokenHash == hash, ct);
        if (row is null || row.Status != QrSignInStatus.Scanned || row.ApproverUserId != userId || row.ExpiresAt <= now)
        {
            await AuditAsync(AuditEventTypes.QrSignInScanned, AuditOutcome.Failure, userId, phone,
                row is null ? "refused: unknown token" : $"{Describe(row)}; refused: {Effective(row, now)}", ct);
            return null;
        }
        if (scanned == 1)
        {
            await AuditAsync(AuditEventTypes.QrSignInScanned, AuditOutcome.Success, userId, phone, Describe(row), ct);
        }
        var places = await PlacesAsync(row, userId, phone, approverIsAdmin, assess: scanned == 1, ct);
        if (places?.Risk == Policies.RiskDecision.Deny)
        {
            // Past the deny threshold: the session ends here, so no reload or second tab can approve it.
            await db.QrSignInSessions.Where(s => s.Id == row.Id && s.Status == QrSignInStatus.Scanned)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Denied).SetProperty(s => s.DecidedAt, now), ct);
        }
        else if (places?.NeedsStepUp == true && !row.ApprovalNeedsStepUp)
        {
            await db.QrSignInSessions.Where(s => s.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.ApprovalNeedsStepUp, true), ct);
        }
        return new QrScanView(row.Id, row.RequesterDevice, row.CreatedAt, row.ExpiresAt, places);
    }

    /// <summary>
    /// The user typed a number: the right one approves, a wrong one ends the session (a guess must not get a second
    /// try). Returns the status the session is in afterwards.
    /// </summary>
    /// <param name="stepUp">A step-up proof (<see cref="StepUpPurpose"/>), owed when the scan found the screen's sign-in unusual.</param>
    public async Task<QrSignInStatus> ApproveAsync(string token, string userId, int chosenNumber, QrDevice phone,
        Accounts.StepUpProof? stepUp = null, bool approverIsAdmin = false, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var hash = Hash(token);
        var redeemBy = (now + RedeemWindow);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.QrSignInSessions.Where(s => s.TokenHash == hash && s.Status == QrSignInStatus.Scanned && s.ApproverUserId == userId && s.ExpiresAt > now);
        if (await mine.AsNoTracking().SingleOrDefaultAsync(ct) is { } row)
        {
            // Held here, not only on the page: a relayed code (the screen elsewhere) is refused under Require, whatever is clicked.
            if (await PlacesAsync(row, userId, phone, approverIsAdmin, assess: false, ct) is { Blocked: true } places)
            {
                await mine.ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Denied).SetProperty(s => s.DecidedAt, now), ct);
                await AuditAsync(AuditEventTypes.QrSignInApproved, AuditOutcome.Failure, userId, phone,
                    $"{Describe(row)}; refused: {(places.Risk == Policies.RiskDecision.Deny ? "risk score past deny" : $"not near ({places.Proximity})")}", ct);
                return QrSignInStatus.Denied;
            }
            if (row.ApprovalNeedsStepUp && (stepUp is null || !await stepUp.SpendAsync(userId, StepUpPurpose, ct)))
            {
                await AuditAsync(AuditEventTypes.QrSignInApproved, AuditOutcome.Failure, userId, phone, $"{Describe(row)}; refused: step-up owed", ct);
                return QrSignInStatus.Scanned;
            }
        }
        var approved = await mine.Where(s => s.Number == chosenNumber)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, QrSignInStatus.Approved)
                .SetProperty(s => s.DecidedAt, now)
                .SetProperty(s => s.ExpiresAt, redeemBy), ct);
        if (approved == 1)
        {
            await AuditAsync(AuditEventTypes.QrSignInApproved, AuditOutcome.Success, userId, phone, await DescribeAsync(db, hash, ct), ct);
            return QrSignInStatus.Approved;
        }
        var denied = await mine.Where(s => s.Number != chosenNumber)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Denied).SetProperty(s => s.DecidedAt, now), ct);
        var status = await StatusByHashAsync(db, hash, now, ct);
        await AuditAsync(AuditEventTypes.QrSignInApproved, AuditOutcome.Failure, userId, phone,
            $"{await DescribeAsync(db, hash, ct)}; refused: {(denied == 1 ? "wrong number, session denied" : status?.ToString() ?? "unknown token")}", ct);
        return status ?? QrSignInStatus.Expired;
    }

    /// <summary>The user said no; <paramref name="thisWasntMe"/> also raises an alert: someone else showed them the code.</summary>
    public async Task<bool> DenyAsync(string token, string userId, bool thisWasntMe, QrDevice phone, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var hash = Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var denied = await db.QrSignInSessions
            .Where(s => s.TokenHash == hash && s.Status == QrSignInStatus.Scanned && s.ApproverUserId == userId && s.ExpiresAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Denied).SetProperty(s => s.DecidedAt, now), ct) == 1;
        var detail = await DescribeAsync(db, hash, ct);
        await AuditAsync(AuditEventTypes.QrSignInDenied, denied ? AuditOutcome.Success : AuditOutcome.Failure, userId, phone,
            denied ? detail : $"{detail}; refused: not open for this user", ct);
        if (thisWasntMe)
        {
            // Raised even when the deny itself was too late: the user saw a request they did not make.
            await AuditAsync(AuditEventTypes.QrSignInNotMe, AuditOutcome.Failure, userId, phone, $"{detail}; the user did not start this sign-in", ct);
            if (notices is not null)
            {
                await notices.QrSignInNotMeAsync(userId, ct);
            }
        }
        return denied;
    }

    /// <summary>
    /// What the starting browser polls; null unless <paramref name="browserNonce"/> is that browser's. A session
    /// past its time reads Expired, and that is written down with a conditional update.
    /// </summary>
    public async Task<QrSignInStatus?> StatusAsync(Guid id, string? browserNonce, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(browserNonce))
        {
            return null;
        }
        var now = time.GetUtcNow();
        var nonceHash = Hash(browserNonce);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.QrSignInSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.BrowserNonceHash == nonceHash, ct);
        return row is null ? null : await RecordExpiryAsync(db, row, now, ct);
    }

    /// <summary>
    /// Approved -> Redeemed, once, by the browser that started it and before the redeem window closes. Returns the
    /// approver's user id to sign in, or null.
    /// </summary>
    public async Task<string?> RedeemAsync(Guid id, string? browserNonce, QrDevice laptop, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var redeemed = 0;
        if (!string.IsNullOrEmpty(browserNonce))
        {
            var nonceHash = Hash(browserNonce);
            redeemed = await db.QrSignInSessions
                .Where(s => s.Id == id && s.BrowserNonceHash == nonceHash && s.Status == QrSignInStatus.Approved && s.ExpiresAt > now)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Redeemed).SetProperty(s => s.RedeemedAt, now), ct);
        }
        var row = await db.QrSignInSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (redeemed == 1 && row is not null)
        {
            await AuditAsync(AuditEventTypes.QrSignInRedeemed, AuditOutcome.Success, row.ApproverUserId, laptop, Describe(row), ct);
            return row.ApproverUserId;
        }
        var reason = row is null ? "unknown session" : string.IsNullOrEmpty(browserNonce) ? "no browser nonce" : $"status {Effective(row, now)} or another browser";
        await AuditAsync(AuditEventTypes.QrSignInRedeemed, AuditOutcome.Failure, null, laptop, $"{(row is null ? $"session={id}" : Describe(row))}; refused: {reason}", ct);
        return null;
    }

    /// <summary>
    /// Where the screen is against the phone, and (once, at the scan) the risk engine's decision on the screen's sign-in
    /// for this user, audited with its reasons. Null without a risk engine.
    /// </summary>
    private async Task<QrPlaces?> PlacesAsync(QrSignInSession row, string userId, QrDevice phone, bool approverIsAdmin, bool assess, CancellationToken ct)
    {
        if (risk is null)
        {
            return null;
        }
        var requester = QrPlaces.Deserialize(row.RequesterFeatures);
        var phoneFeatures = (await risk.FeaturesAsync(new Risk.RiskAttempt(phone.IpAddress, phone.UserAgent, null), ct)).Features;
        var rule = approverIsAdmin ? options.Value.AdminProximity : options.Value.Proximity;
        var decision = Policies.RiskDecision.Allow;
        if (requester is not null && assess)
        {
            decision = (await risk.AssessAsync(userId, requester, hasFactor: false, "QR approval", phone.IpAddress, phone.UserAgent, ct)).Enforced;
        }
        else if (row.ApprovalNeedsStepUp)
        {
            decision = Policies.RiskDecision.StepUp;
        }
        return new QrPlaces(QrSide.Of(requester), QrSide.Of(phoneFeatures), QrPlaces.Compare(requester, phoneFeatures), rule, decision);
    }

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private async Task<QrSignInStatus> RecordExpiryAsync(PortalDbContext db, QrSignInSession row, DateTimeOffset now, CancellationToken ct)
    {
        var status = Effective(row, now);
        if (status == QrSignInStatus.Expired && row.Status != QrSignInStatus.Expired)
        {
            var expired = await db.QrSignInSessions
                .Where(s => s.Id == row.Id && Live.Contains(s.Status) && s.ExpiresAt <= now)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, QrSignInStatus.Expired), ct);
            if (expired == 1)
            {
                await AuditAsync(AuditEventTypes.QrSignInExpired, AuditOutcome.Failure, row.ApproverUserId, null, $"{Describe(row)}; was {row.Status}", ct);
            }
        }
        return status;
    }

    private static async Task<QrSignInStatus?> StatusByHashAsync(PortalDbContext db, byte[] hash, DateTimeOffset now, CancellationToken ct)
    {
        var row = await db.QrSignInSessions.AsNoTracking().SingleOrDefaultAsync(s => s.TokenHash == hash, ct);
        return row is null ? null : Effective(row, now);
    }

    private static QrSignInStatus Effective(QrSignInSession row, DateTimeOffset now) =>
        Live.Contains(row.Status) && row.ExpiresAt <= now ? QrSignInStatus.Expired : row.Status;

    private static async Task<string> DescribeAsync(PortalDbContext db, byte[] hash, CancellationToken ct) =>
        await db.QrSignInSessions.AsNoTracking().SingleOrDefaultAsync(s => s.TokenHash == hash, ct) is { } row ? Describe(row) : "unknown token";

    // The other device's details go into the detail, the acting device's into the event's own address and browser.
    private static string Describe(QrSignInSession row) =>
        $"session={row.Id}; laptop={row.RequesterDevice ?? "unknown"}; laptop ip={row.RequesterIpPseudonym ?? "unknown"}";

    private Task AuditAsync(string type, AuditOutcome outcome, string? userId, QrDevice? device, string detail, CancellationToken ct) =>
        audit.RecordAsync(new AuditEntry(type, outcome, userId, userId, device?.IpAddress, device?.UserAgent, detail), ct);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
