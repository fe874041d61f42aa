using Microsoft.AspNetCore.Identity;
using Tessera.Domain.Accounts;
using Tessera.Domain.CrossDevice;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>
/// <c>channel: "push"</c> of the OTP API: an approval request to a Tessera user's push devices instead of a code. The
/// verification is the push approval; its status becomes "approved" or "denied" on the device.
/// </summary>
internal sealed class PushVerifications(UserManager<ApplicationUser> users, PushApprovals approvals, MessageQueue messages, TimeProvider time)
{
    public async Task<IResult> CreateAsync(HttpContext http, string clientId, ApiDestination destination, string? message)
    {
        // Unknown address and no devices answer alike: the API does not tell who has an account.
        var user = await users.FindByEmailAsync(destination.Address);
        var result = user is null
            ? new PushRequestResult(PushRequestOutcome.NoDevices)
            : await approvals.RequestAsync(new PushRequest(user.Id, PushApprovalKind.Api, null, null, clientId, message, destination.Masked), http.RequestAborted);
        return result.Outcome switch
        {
            PushRequestOutcome.Sent => TypedResults.Created(VerificationHandlers.PathOf(result.Request!.Id), new VerificationCreatedResponse(
                result.Request.Id, "pending", destination.Masked, "push", result.Request.ExpiresAt, result.Request.Number)),
            PushRequestOutcome.NoDevices => Results.Problem(title: "No push device.",
                detail: "No Tessera user with this email has a push device. Send a code by \"email\" or \"sms\" instead.", statusCode: StatusCodes.Status404NotFound),
            _ => ApiProblems.TooManyRequests(http, (result.RetryAt ?? time.GetUtcNow().AddMinutes(2)) - time.GetUtcNow(),
                "Push requests are rationed for this person.", result.Reason ?? "Try again later.", "push-ration"),
        };
    }

    public async Task<bool> IsPushAsync(Guid id, HttpContext http) =>
        await approvals.GetForClientAsync(id, ApiKeyAuthentication.ClientOf(http).Id, http.RequestAborted) is not null;

    /// <summary>A push verification of this client as the API shows verifications; null when there is none.</summary>
    public async Task<IResult?> GetAsync(Guid id, HttpContext http)
    {
        if (await approvals.GetForClientAsync(id, ApiKeyAuthentication.ClientOf(http).Id, http.RequestAborted) is not { } row)
        {
            return null;
        }
        var deliveries = await messages.GetByReferenceAsync($"push:{id:N}", http.RequestAborted);
        return TypedResults.Ok(new VerificationResponse(row.Id, Wire(row.Status), row.MaskedDestination ?? "", "push", row.ExpiresAt, 0, 0,
            deliveries.Select(d => d.ToResponse()).ToList()));
    }

    private static string Wire(PushApprovalStatus status) => status switch
    {
        PushApprovalStatus.Approved or PushApprovalStatus.Redeemed => "approved",
        PushApprovalStatus.Denied => "denied",
        PushApprovalStatus.Expired => "expired",
        _ => "pending",
    };
}
