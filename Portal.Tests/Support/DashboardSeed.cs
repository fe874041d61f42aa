using Tessera.Domain.Accounts;
using Tessera.Domain.Delivery;
using Tessera.Domain.Factors;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Support;

/// <summary>Rows the dashboard counts, written straight into a test database.</summary>
public static class DashboardSeed
{
    public static async Task MessageAsync(TestDatabase database, DateTimeOffset createdAt, MessageStatus status)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        db.OutboundMessages.Add(new OutboundMessage
        {
            Kind = Channel.Email,
            Recipient = "someone@example.com",
            Subject = "Your code",
            TextBody = "123456",
            CreatedAt = createdAt,
            Status = status,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>A user with the given factors; returns its id.</summary>
    public static async Task<string> UserAsync(TestDatabase database, string name, bool totp = false, bool passkey = false, bool recoveryCodes = false, bool phone = false, bool phoneVerified = true)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var user = new ApplicationUser { UserName = name, Email = name, NormalizedUserName = name.ToUpperInvariant() };
        db.Users.Add(user);
        if (totp)
        {
            db.TotpAuthenticators.Add(new TotpAuthenticator { UserId = user.Id, Name = "phone", Secret = new byte[20] });
        }
        if (passkey)
        {
            db.PasskeyCredentials.Add(new PasskeyCredential
            {
                UserId = user.Id, CredentialId = Guid.NewGuid().ToByteArray(), PublicKey = [1], UserHandle = [2], Name = "key",
            });
        }
        if (recoveryCodes)
        {
            db.RecoveryCodes.Add(new RecoveryCode { UserId = user.Id, Salt = [1], Hash = [2] });
        }
        if (phone)
        {
            db.UserPhones.Add(new Tessera.Domain.Factors.Phones.UserPhone
            {
                UserId = user.Id, Number = "+447700900123"u8.ToArray(), NumberHash = Guid.NewGuid().ToString("N"), Masked = "+44 •••• ••• 123",
                Region = "GB", VerifiedAt = phoneVerified ? DateTimeOffset.UnixEpoch : null,
            });
        }
        await db.SaveChangesAsync();
        return user.Id;
    }
}
