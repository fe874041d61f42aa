using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Tessera.Portal.Endpoints.Api;

/// <summary>
/// Reads a small JSON object body by hand rather than through model binding, so every kind of bad input (wrong
/// content type, oversized, malformed, wrong shape, wrong types) gets a problem response that says which, never a 500.
/// </summary>
internal sealed class ApiRequestBody
{
    public const int MaxBytes = 4 * 1024;
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 8 };

    private readonly JsonElement root;
    private readonly Dictionary<string, string[]> errors = new(StringComparer.Ordinal);

    private ApiRequestBody(JsonElement root) => this.root = root;

    public bool HasErrors => errors.Count > 0;

    public IResult Problem() => ApiProblems.Invalid(errors);

    /// <summary>The body as a JSON object, or the problem to answer with.</summary>
    public static async Task<(ApiRequestBody? Body, IResult? Problem)> ReadAsync(HttpContext http)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType is not { } type
            || !(type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, Results.Problem(title: "The body must be JSON.", detail: "Send the body with 'Content-Type: application/json'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            // Read one byte past the limit: a chunked body without Content-Length is held to it too.
            while (length <= MaxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), http.RequestAborted)) > 0)
            {
                length += read;
            }
            if (length > MaxBytes)
            {
                return (null, TooLarge());
            }
            if (length == 0)
            {
                return (null, ApiProblems.BadRequest("The body is empty.", "Send a JSON object, for example {\"code\": \"123456\"}."));
            }
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length), ParseOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiProblems.BadRequest("The body must be a JSON object.", $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; send an object with the fields this endpoint documents."));
            }
            return (new ApiRequestBody(document.RootElement.Clone()), null);
        }
        catch (JsonException)
        {
            return (null, ApiProblems.BadRequest("The body is not valid JSON.", "Check the JSON syntax (and that it is UTF-8), then send it again."));
        }
        catch (ArgumentException)
        {
            // Invalid UTF-8 surfaces as an ArgumentException from the reader in some paths.
            return (null, ApiProblems.BadRequest("The body is not valid JSON.", "Check the JSON syntax (and that it is UTF-8), then send it again."));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A required string field; records an error (and returns null) when it is missing, null, empty or not a string.</summary>
    public string? RequiredString(string name, int maxLength)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return AddError(name, $"'{name}' is required.");
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            return AddError(name, $"'{name}' must be a string, not a {value.ValueKind.ToString().ToLowerInvariant()}.");
        }
        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            return AddError(name, $"'{name}' is required.");
        }
        return text.Length > maxLength ? AddError(name, $"'{name}' is longer than {maxLength} characters.") : text;
    }

    /// <summary>An optional string field: null when absent or empty; records an error when it is not a string or too long.</summary>
    public string? OptionalString(string name, int maxLength)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            return AddError(name, $"'{name}' must be a string, not a {value.ValueKind.ToString().ToLowerInvariant()}.");
        }
        var text = value.GetString()!.Trim();
        return text.Length > maxLength ? AddError(name, $"'{name}' is longer than {maxLength} characters.") : text.Length == 0 ? null : text;
    }

    public string? AddError(string name, string message)
    {
        errors[name] = errors.TryGetValue(name, out var existing) ? [.. existing, message] : [message];
        return null;
    }

    private static IResult TooLarge() => Results.Problem(
        title: "The body is too large.", detail: $"Request bodies are limited to {MaxBytes} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
