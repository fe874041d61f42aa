namespace Tessera.Domain.SignIn;

/// <summary>
/// Who is signing in, as the web layer saw it: the client address (from trusted proxies only, see Network:KnownProxies)
/// and the browser's User-Agent. Pseudonymised or summarised before anything stores it.
/// </summary>
public sealed record ClientContext(string? IpAddress, string? UserAgent);

/// <summary>A "remember this browser" cookie's content: whose it is and the security stamp it was issued under.</summary>
public sealed record RememberedBrowser(string UserId, string? SecurityStamp);
