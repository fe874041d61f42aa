using Tessera.Portal.Endpoints.Api;
using Tessera.Portal.Hosting;

namespace Tessera.Portal.Endpoints;

/// <summary>
/// The OTP message API for other applications: send a code by SMS or email, check it, follow its delivery. Every call
/// carries an API key (see <see cref="ApiKeyAuthentication"/>); a verification is visible only to the client that made it.
/// </summary>
public static class OtpApiEndpoints
{
    public const string DocumentName = "v1";
    public const string Tag = "Verifications";

    public static IEndpointRouteBuilder MapOtpApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").AllowAnonymous().DisableAntiforgery()
            .AddEndpointFilter<ApiKeyAuthentication>()
            .WithTags(Tag)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        api.MapGet("/ping", VerificationHandlers.Ping)
            .WithName("Ping").WithSummary("Tests an API key.").WithDescription("Answers with the name of the client the key belongs to.")
            .Produces<PingResponse>();

        var verifications = api.MapGroup("/verifications");
        verifications.MapPost("/", VerificationHandlers.CreateAsync)
            .WithName("CreateVerification").WithSummary("Sends a one-time code by SMS or email, or an approval request by push.")
            .WithDescription("Phone numbers may be E.164 (+441632960123) or national for the server's default region. The code expires after the configured lifetime. "
                + "With channel \"push\", 'to' is the email of a Tessera user: their push devices get a request to approve. Show the person the response's 'number': "
                + "they type it on their device to approve, so a request they did not make cannot be approved by a tap. The verification's status then becomes "
                + "\"approved\" or \"denied\" (read it with GET). 404 when the user has no push device; 429 while their push requests are rationed.")
            .DocumentsJsonBody<CreateVerificationRequest>("Where to send the code, and how.")
            .Produces<VerificationCreatedResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        verifications.MapGet("/{id:guid}", VerificationHandlers.GetAsync)
            .WithName("GetVerification").WithSummary("Reads a verification and the delivery of its messages.")
            .Produces<VerificationResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        verifications.MapPost("/{id:guid}/check", VerificationHandlers.CheckAsync)
            .WithName("CheckVerification").WithSummary("Checks a code.")
            .WithDescription("Only the one check that consumes the right code answers \"approved\"; later checks answer \"expired\". Each check counts against the attempts.")
            .DocumentsJsonBody<CheckVerificationRequest>("The code the person typed.")
            .Produces<CheckVerificationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        verifications.MapPost("/{id:guid}/resend", VerificationHandlers.ResendAsync)
            .WithName("ResendVerification").WithSummary("Sends a new code, which replaces the previous one.")
            .Produces<ResendVerificationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        verifications.MapDelete("/{id:guid}", VerificationHandlers.CancelAsync)
            .WithName("CancelVerification").WithSummary("Cancels a pending verification.")
            .Produces<CancelVerificationResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        // Anything else under /api answers as an API (problem details), not with the HTML not-found page.
        endpoints.MapFallback("/api/{**rest}", () => Results.Problem(
                title: "Not found.", detail: "There is no such API endpoint. See /api/docs.", statusCode: StatusCodes.Status404NotFound))
            .ExcludeFromDescription();
        endpoints.MapOtpApiDocs();
        return endpoints;
    }
}
