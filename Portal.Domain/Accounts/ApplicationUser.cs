using Microsoft.AspNetCore.Identity;

namespace Tessera.Domain.Accounts;

public sealed class ApplicationUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}
