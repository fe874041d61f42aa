using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Tessera.Portal.Tests.Integration.OtpApi;

/// <summary>
/// Hundreds of malformed requests against each POST endpoint: every one is answered with a 4xx problem, never a 5xx.
/// The seed is fixed so a failure can be replayed.
/// </summary>
public sealed class MalformedRequestTests(OtpApiFactory factory) : IClassFixture<OtpApiFactory>
{
    [Fact]
    public async Task MalformedBodies_AreAlwaysAProblem_NeverA5xx()
    {
        var (http, _) = await factory.CreateApiClientAsync("Fuzzer");
        var created = await http.PostAsJsonAsync("/api/v1/verifications", new { to = "+441632960140", channel = "sms" });
        var id = (await OtpApiFactory.JsonAsync(created)).GetProperty("id").GetGuid();
        string[] paths = ["/api/v1/verifications", $"/api/v1/verifications/{id}/check", $"/api/v1/verifications/{id}/resend"];
        var failures = new List<string>();

        foreach (var path in paths)
        {
            foreach (var (content, contentType, label) in Inputs())
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(content) };
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
                var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (status is < 200 or >= 500 || (status >= 400 && mediaType != "application/problem+json"))
                {
                    failures.Add($"{path} {label}: {status} {mediaType}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Theory]
    [InlineData("{\"to\": \"+441632960141\", \"channel\": \"pigeon\"}", "channel")]
    [InlineData("{\"to\": \"not a number\", \"channel\": \"sms\"}", "to")]
    [InlineData("{\"to\": 441632960141, \"channel\": \"sms\"}", "to")]
    [InlineData("{\"channel\": \"sms\"}", "to")]
    [InlineData("{\"to\": \"Alice <a@example.com>\", \"channel\": \"email\"}", "to")]
    [InlineData("{\"to\": \"a@localhost\", \"channel\": \"email\"}", "to")]
    public async Task InvalidField_Is400_NamingTheField(string json, string field)
    {
        var (http, _) = await factory.CreateApiClientAsync();

        var response = await http.PostAsync("/api/v1/verifications", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OtpApiFactory.JsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        var (http, _) = await factory.CreateApiClientAsync();
        var json = $"{{\"to\": \"{new string('1', 5000)}\", \"channel\": \"sms\"}}";

        var response = await http.PostAsync("/api/v1/verifications", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task NonJsonContentType_Is415()
    {
        var (http, _) = await factory.CreateApiClientAsync();

        var response = await http.PostAsync("/api/v1/verifications", new StringContent("to=+441632960141&channel=sms", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private static IEnumerable<(byte[] Content, string? ContentType, string Label)> Inputs()
    {
        var random = new Random(20261125);
        const string json = "application/json";
        string[] fixedBodies =
        [
            "", "{", "}", "[]", "null", "true", "42", "\"text\"", "{\"to\":", "{\"to\": \"+4416", "{'to': 'x'}",
            "{\"to\": null, \"channel\": null}", "{\"to\": 441632960123, \"channel\": \"sms\"}", "{\"to\": [], \"channel\": {}}",
            "{\"to\": {\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": {\"g\": {\"h\": {}}}}}}}}}}", "{\"code\": 123456}",
            "{\"code\": null}", "{\"code\": \"\"}", "{\"code\": [\"1\"]}", "{\"code\": \"" + new string('9', 3000) + "\"}",
            "{\"to\": \"\u202e\u0000\ud83d\ude00\", \"channel\": \"sms\"}", "{\"to\": \"a@example.com\", \"channel\": \"EMAIL\\u0000\"}",
            "{\"to\": \"+441632960123\", \"channel\": \"sms\", \"to\": 5}", "{\"to\": 1e999, \"channel\": \"sms\"}",
            "{\"to\": \"" + new string('a', 4000) + "@example.com\", \"channel\": \"email\"}", "\ufeff{\"code\": \"1\"}",
            "{\"code\": \"123456\"} trailing", "{\"code\": \"12\\u00003456\"}", "{\"to\": \"@\", \"channel\": \"email\"}",
            string.Concat(Enumerable.Repeat("[", 200)), "{\"to\": true, \"channel\": false}",
        ];
        foreach (var body in fixedBodies)
        {
            yield return (Encoding.UTF8.GetBytes(body), json, $"fixed {Shorten(body)}");
        }
        yield return (Encoding.UTF8.GetBytes("{\"code\": \"123456\"}"), "text/plain", "text/plain");
        yield return (Encoding.UTF8.GetBytes("{\"code\": \"123456\"}"), null, "no content type");
        yield return (Encoding.UTF8.GetBytes("{\"code\": \"123456\"}"), "application/json; charset=\"", "broken content type");
        yield return (Encoding.UTF8.GetBytes("code=123456"), "application/x-www-form-urlencoded", "form");
        yield return (Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n1\r\n--b--"), "multipart/form-data; boundary=b", "multipart");
        yield return (new byte[5000], json, "5000 zero bytes");
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            yield return (bytes, json, $"random bytes #{i}");
        }
        var valid = "{\"to\": \"+441632960123\", \"channel\": \"sms\", \"code\": \"123456\"}";
        for (var i = 0; i < 40; i++)
        {
            yield return (Encoding.UTF8.GetBytes(valid[..random.Next(0, valid.Length)]), json, $"truncated #{i}");
        }
        object?[] values = [null, 0, -1, 1.5, true, "", " ", "sms", "email", "+441632960123", "a@example.com", new[] { 1, 2 }, new { nested = new { deeper = 1 } }, new string('x', 3000), "\u0000\u0001", "😀😀", long.MaxValue];
        for (var i = 0; i < 40; i++)
        {
            var shape = new Dictionary<string, object?>
            {
                ["to"] = values[random.Next(values.Length)],
                ["channel"] = values[random.Next(values.Length)],
                ["code"] = values[random.Next(values.Length)],
            };
            if (random.Next(3) == 0)
            {
                shape.Remove(shape.Keys.ElementAt(random.Next(shape.Count)));
            }
            yield return (JsonContent.Create(shape).ReadAsByteArrayAsync().Result, json, $"shape #{i}");
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
