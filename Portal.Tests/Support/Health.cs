using System.Net;

namespace Tessera.Portal.Tests.Support;

public static class Health
{
    /// <summary>
    /// Polls /health until it answers 200 with every check Healthy, or the bounded wait ends. Right after start the
    /// Hangfire server may not have registered its first heartbeat yet, and /health rightly says Degraded then.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Body)> WaitForHealthyAsync(HttpClient client, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var response = await client.GetAsync("/health");
            var body = await response.Content.ReadAsStringAsync();
            if ((response.StatusCode == HttpStatusCode.OK && !body.Contains("Degraded")) || DateTime.UtcNow > deadline)
            {
                return (response.StatusCode, body);
            }
            await Task.Delay(200);
        }
    }
}
