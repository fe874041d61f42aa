using System.Text.Encodings.Web;
using Hangfire;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>Composes a short notice email, queues it in the database, then hands its id to a Hangfire job.</summary>
public sealed class EmailOutbox(MessageQueue queue, IBackgroundJobClient jobs)
{
    /// <param name="link">Already HTML-encoded by the caller (the Identity pages encode their links).</param>
    public async Task SendAsync(string to, string subject, string text, string? linkText = null, string? link = null)
    {
        var html = $"<p>{HtmlEncoder.Default.Encode(text)}</p>";
        var plain = text;
        if (link is not null)
        {
            html += $"<p><a href=\"{link}\">{HtmlEncoder.Default.Encode(linkText ?? link)}</a></p>";
            plain += $"\n\n{System.Net.WebUtility.HtmlDecode(link)}\n";
        }
        var id = await queue.EnqueueEmailAsync(to, subject, html, plain);
        jobs.Enqueue<EmailDeliveryJob>(job => job.DeliverAsync(id, CancellationToken.None));
    }
}
