using Microsoft.Extensions.Primitives;
using Tessera.Domain.ApiClients;
using Tessera.Domain.Policies;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>
/// The filter on every /api/v1 endpoint: turns any exception into a problem response (a bad request never becomes a
/// 500, and nothing leaks a stack trace), then accepts the call only with a valid, unrevoked API key.
/// </summary>
internal sealed class ApiKeyAuthentication(ApiClients clients, ILogger<ApiKeyAuthentication> logger) : IEndpointFilter
{
    public const string ApiKeyHeader = "X-Api-Key";
    private static readonly object ClientKey = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            var key = PresentedKey(http.Request);
            var client = await clients.AuthenticateAsync(key, http.RequestAborted);
            if (client is null)
            {
                return ApiProblems.Unauthorized(http, keyPresented: !string.IsNullOrEmpty(key));
            }
            http.Items[ClientKey] = client;
            return await next(context);
        }
        catch (SendRefusedException refused)
        {
            return ApiProblems.SendRefused(http, refused);
        }
        catch (BadHttpRequestException bad)
        {
            // Kestrel's own refusals (body too large, client too slow, bad framing) keep their 4xx status.
            return Results.Problem(title: "The request could not be read.", detail: bad.Message, statusCode: bad.StatusCode);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody reads this answer.
            return Results.Empty;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Unexpected error in {Method} {Path}", http.Request.Method, http.Request.Path);
            return ApiProblems.Unexpected();
        }
    }

    /// <summary>The client accepted by the filter; only endpoints behind it call this.</summary>
    public static AuthenticatedClient ClientOf(HttpContext http) =>
        http.Items[ClientKey] as AuthenticatedClient ?? throw new InvalidOperationException("The API key filter did not run for this endpoint.");

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return value["Bearer ".Length..].Trim();
        }
        return request.Headers.TryGetValue(ApiKeyHeader, out StringValues header) && header.Count == 1 ? header[0]?.Trim() : null;
    }
}
