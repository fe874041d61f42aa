using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Delivery;
using Tessera.Domain.Persistence;

namespace Tessera.Portal.Tests.Support;

/// <summary>Waits (by polling, bounded) for the delivery engine of a running app to bring a message to a status.</summary>
public static class Delivered
{
    public static async Task<OutboundMessage> WaitForStatusAsync(IServiceProvider services, Guid messageId, MessageStatus status, TimeSpan timeout)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow + timeout;
        OutboundMessage? row = null;
        while (DateTime.UtcNow < deadline)
        {
            await using var db = await factory.CreateDbContextAsync();
            row = await db.OutboundMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId);
            if (row?.Status == status)
            {
                return row;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Message {messageId} did not reach {status} within {timeout}; it is {row?.Status.ToString() ?? "missing"} ({row?.LastError}).");
    }

    public static async Task<IReadOnlyList<DeliveryAttempt>> AttemptsAsync(IServiceProvider services, Guid messageId)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var attempts = await db.DeliveryAttempts.AsNoTracking().Where(a => a.MessageId == messageId).ToListAsync();
        return attempts.OrderBy(a => a.Number).ToList();
    }
}
