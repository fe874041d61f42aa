using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Support;

/// <summary>Reads the emails the app queued (decrypted by the app's own converter), the way the dev outbox shows them.</summary>
public static class OutboxMail
{
    public static async Task<IReadOnlyList<string>> BodiesToAsync(TesseraFactory factory, string recipient)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var mail = await db.OutboundMessages.AsNoTracking().Where(m => m.Kind == Channel.Email).ToListAsync();
        return mail.Where(m => string.Equals(m.Recipient, recipient, StringComparison.OrdinalIgnoreCase))
            .Select(m => m.TextBody ?? m.HtmlBody ?? "").ToList();
    }
}
