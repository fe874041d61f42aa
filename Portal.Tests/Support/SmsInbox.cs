using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// Reads texts the way a phone would, from the Development outbox: the Outbox SMS channel keeps each delivered
/// message's body in OutboundMessages. Reads through the DbContext only, never the delivery engine's internals.
/// </summary>
public static partial class SmsInbox
{
    /// <summary>Waits until <paramref name="count"/> texts to <paramref name="e164"/> are delivered; returns the code of the newest.</summary>
    public static async Task<string> WaitForCodeAsync(IServiceProvider services, string e164, int count = 1)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var db = await factory.CreateDbContextAsync())
            {
                // Recipients are encrypted with a random nonce: they can only be compared once read.
                var sent = (await db.OutboundMessages.AsNoTracking()
                    .Where(m => m.Kind == Channel.Sms && m.Status == MessageStatus.Sent)
                    .ToListAsync()).Where(m => m.Recipient == e164).ToList();
                if (sent.Count >= count)
                {
                    var newest = sent.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Last();
                    var code = CodeRegex().Match(newest.TextBody ?? "");
                    Assert.True(code.Success, $"No code in the text: {newest.TextBody}");
                    return code.Value;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, $"Text {count} to {e164} was not delivered within 30 seconds.");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"^\d{6,10}")]
    private static partial Regex CodeRegex();
}
