using Microsoft.OpenApi;

namespace Tessera.Portal.Endpoints.Api;

internal static class JsonBodyDocumentation
{
    /// <summary>
    /// Documents a JSON request body the handler reads itself. Not <c>.Accepts&lt;T&gt;()</c>: that also makes routing
    /// refuse other content types before the handler runs, and the caller would get a bare 404/415 instead of the
    /// problem details the handler gives.
    /// </summary>
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
