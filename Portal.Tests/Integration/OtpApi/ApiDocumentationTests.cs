using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration.OtpApi;

public sealed partial class ApiDocumentationTests(TesseraFactory factory) : IClassFixture<TesseraFactory>
{
    [Fact]
    public async Task OpenApiDocument_ListsTheApiPaths_TheirBodies_AndTheKeyScheme()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/ping", paths);
        Assert.Contains("/api/v1/verifications", paths);
        Assert.Contains("/api/v1/verifications/{id}", paths);
        Assert.Contains("/api/v1/verifications/{id}/check", paths);
        Assert.Contains("/api/v1/verifications/{id}/resend", paths);
        Assert.DoesNotContain(paths, p => !p.StartsWith("/api/v1/", StringComparison.Ordinal));
        var create = document.GetProperty("paths").GetProperty("/api/v1/verifications").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("429", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal(JsonValueKind.Array, document.GetProperty("security").ValueKind);
    }

    [Fact]
    public async Task DocsPage_Answers_AndServesItsScriptFromTheApp()
    {
        using var client = factory.CreateClient();

        var page = await client.GetAsync("/api/docs");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        // Offline: every script the page loads comes from this app, not a CDN.
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var src in scripts)
        {
            Assert.False(src.StartsWith("http", StringComparison.OrdinalIgnoreCase) || src.StartsWith("//", StringComparison.Ordinal), src);
            var script = await client.GetAsync(new Uri(new Uri("http://localhost/api/docs/"), src));
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"{src}: {script.StatusCode}");
        }
    }

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
