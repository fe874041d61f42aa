namespace Tessera.Domain.SignIn;

/// <summary>
/// Who is signing in, as the web layer saw it: the client address (from trusted proxies only, see Network:KnownProxies)
/// the browser's User-Agent, and the random id of the browser's signed device cookie. Pseudonymised or summarised
/// before anything stores it.
/// </summary>
public sealed record ClientContext(string? IpAddress, string? UserAgent, string? DeviceId = null);
