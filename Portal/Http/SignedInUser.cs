using System.Security.Claims;

namespace Tessera.Portal.Http;

public static class SignedInUser
{
    public static string Id(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The page needs a signed-in user.");

    /// <summary>The user name, which Tessera sets to the email address.</summary>
    public static string Email(this ClaimsPrincipal user) => user.Identity?.Name ?? "";

    /// <summary>The roles the signed-in principal holds (re-read from the database whenever the security stamp moves).</summary>
    public static IReadOnlyList<string> Roles(this ClaimsPrincipal user) => user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
}
