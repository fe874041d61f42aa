using System.Text.Encodings.Web;
using Tessera.Domain.Delivery;

namespace Tessera.Portal.Delivery;

/// <summary>Composes a short notice email, queues it in the database, then tells the delivery engine.</summary>
public sealed class EmailOutbox(MessageQueue queue, IDeliveryTrigger trigger)
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
        var id = await queue.EnqueueEmailAsync(to, subject, html, plain, purpose: "account-email");
        trigger.Queued(id);
    }
}
