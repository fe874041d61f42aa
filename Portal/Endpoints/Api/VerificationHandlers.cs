using Microsoft.Extensions.Options;
using Tessera.Domain.Challenges;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>The handlers behind <see cref="OtpApiEndpoints"/>; each runs after <see cref="ApiKeyAuthentication"/>.</summary>
internal static class VerificationHandlers
{
    public const string Purpose = "api";
    private const int MaxCodeLength = 32;

    /// <summary>
    /// No client IP for API sends: the caller is the integrator's server, so its address is the same for every end
    /// user, and the per-IP limit (20 an hour by default, meant for people at a browser) would cap the whole
    /// integration. The per-API-client, per-destination and per-country limits apply instead.
    /// </summary>
    private const string? ClientIp = null;

    public static string PathOf(Guid id) => $"/api/v1/verifications/{id}";

    public static IResult Ping(HttpContext http) =>
        TypedResults.Ok(new PingResponse("ok", ApiKeyAuthentication.ClientOf(http).Name));

    public static async Task<IResult> CreateAsync(HttpContext http, Challenges challenges, ChallengeTexts texts, IOptions<PhoneOptions> phones, PushVerifications pushes)
    {
        var (body, problem) = await ApiRequestBody.ReadAsync(http);
        if (body is null)
        {
            return problem!;
        }
        var to = body.RequiredString("to", ApiDestinations.MaxLength);
        var channelName = body.RequiredString("channel", 16);
        var channel = Channels.Parse(channelName);
        if (channelName is not null && channel is null)
        {
            body.AddError("channel", "'channel' must be \"sms\", \"email\" or \"push\".");
        }
        var message = channel == Channel.Push ? body.OptionalString("message", Tessera.Domain.CrossDevice.PushApprovals.MaxMessageLength) : null;
        var destination = to is not null && channel is { } known ? ApiDestinations.Parse(body, known, to, phones.Value.DefaultRegion) : null;
        if (destination is null || body.HasErrors)
        {
            return body.Problem();
        }

        var client = ApiKeyAuthentication.ClientOf(http);
        if (destination.Channel == Channel.Push)
        {
            return await pushes.CreateAsync(http, client.Id, destination, message);
        }
        var created = await challenges.CreateAsync(new ChallengeRequest(
            Purpose, ChallengeBinding.ForClient(client.Id), destination.Channel, destination.Address, destination.Masked,
            texts.For(Purpose, destination.Channel), destination.Region, ClientIp), http.RequestAborted);
        return TypedResults.Created(PathOf(created.ChallengeId), new VerificationCreatedResponse(
            created.ChallengeId, ChallengeStatus.Pending.Wire(), destination.Masked, destination.Channel.Name(), created.ExpiresAt));
    }

    public static async Task<IResult> CheckAsync(Guid id, HttpContext http, Challenges challenges, PushVerifications pushes)
    {
        if (await pushes.IsPushAsync(id, http))
        {
            return ApiProblems.Conflict("A push verification has no code.", "The person approves it on their device; read its status with GET.", "pending");
        }
        var (body, problem) = await ApiRequestBody.ReadAsync(http);
        if (body is null)
        {
            return problem!;
        }
        var code = body.RequiredString("code", MaxCodeLength);
        if (code is null)
        {
            return body.Problem();
        }
        var result = await challenges.CheckAsync(id, code, Binding(http), http.RequestAborted);
        return result is null
            ? ApiProblems.NotFound()
            : TypedResults.Ok(new CheckVerificationResponse(id, result.Status.Wire(), result.AttemptsLeft));
    }

    public static async Task<IResult> GetAsync(Guid id, HttpContext http, Challenges challenges, MessageQueue messages, PushVerifications pushes)
    {
        var view = await challenges.GetAsync(id, Binding(http), http.RequestAborted);
        if (view is null)
        {
            return await pushes.GetAsync(id, http) ?? ApiProblems.NotFound();
        }
        var deliveries = await messages.GetByReferenceAsync($"challenge:{id:N}", http.RequestAborted);
        return TypedResults.Ok(new VerificationResponse(
            view.Id, view.Status.Wire(), view.MaskedDestination, view.Channel.Name(), view.ExpiresAt, view.AttemptsLeft, view.SendsLeft,
            deliveries.Select(d => d.ToResponse()).ToList()));
    }

    public static async Task<IResult> ResendAsync(Guid id, HttpContext http, Challenges challenges, ChallengeTexts texts)
    {
        var binding = Binding(http);
        var view = await challenges.GetAsync(id, binding, http.RequestAborted);
        if (view is null)
        {
            return ApiProblems.NotFound();
        }
        var result = await challenges.ResendAsync(id, binding, texts.For(Purpose, view.Channel), ClientIp, http.RequestAborted);
        return result switch
        {
            null => ApiProblems.NotFound(),
            { Outcome: ResendOutcome.Sent } => TypedResults.Accepted(PathOf(id), new ResendVerificationResponse(id, result.Status.Wire(), result.ExpiresAt!.Value)),
            { Outcome: ResendOutcome.Cooldown } => ApiProblems.TooManyRequests(http, TimeSpan.FromSeconds(result.RetryAfterSeconds),
                "Wait before sending another code.", $"A code was sent moments ago. Try again in {result.RetryAfterSeconds} seconds."),
            { Outcome: ResendOutcome.SendLimitReached } => ApiProblems.Conflict("No more codes for this verification.",
                "This verification has sent as many codes as it may. Start a new verification.", result.Status.Wire()),
            _ => ApiProblems.Conflict("This verification is closed.",
                $"It is {result.Status.Wire()} and cannot send another code. Start a new verification.", result.Status.Wire()),
        };
    }

    public static async Task<IResult> CancelAsync(Guid id, HttpContext http, Challenges challenges)
    {
        var binding = Binding(http);
        if (await challenges.CancelAsync(id, binding, http.RequestAborted))
        {
            return TypedResults.Ok(new CancelVerificationResponse(id, ChallengeStatus.Canceled.Wire()));
        }
        var view = await challenges.GetAsync(id, binding, http.RequestAborted);
        return view is null
            ? ApiProblems.NotFound()
            : ApiProblems.Conflict("This verification can no longer be canceled.", $"It is already {view.Status.Wire()}.", view.Status.Wire());
    }

    private static ChallengeBinding Binding(HttpContext http) => ChallengeBinding.ForClient(ApiKeyAuthentication.ClientOf(http).Id);
}
