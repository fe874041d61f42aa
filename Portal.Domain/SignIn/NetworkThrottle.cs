using Tessera.Domain.Accounts;
using Tessera.Domain.Contacts;
using Tessera.Domain.Policies;

namespace Tessera.Domain.SignIn;

/// <summary>
/// Failed sign-ins per network (IPv4 /24, IPv6 /48) across every account, per hour: past
/// <see cref="FailureLimits.PerNetworkPerHour"/> the network's sign-in, registration and forgot-password pages answer
/// 429 until the hour's window ends. Counted in the database, so it holds across nodes; a sign-in attempt is counted
/// before its password is checked (so concurrent guesses cannot overshoot) and given back when it was no failure.
/// </summary>
public sealed class NetworkThrottle(AttemptCounters counters, FailureLimits limits, TimeProvider time)
{
    public const string Rule = "failures-per-network";

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>How long the network must wait, or null when it may go on (nothing is counted).</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string? ipAddress, CancellationToken cancellationToken = default)
    {
        var (count, end) = await counters.PeekAsync(Rule, NetworkOf(ipAddress), Window, cancellationToken);
        return count >= limits.PerNetworkPerHour ? Wait(end) : null;
    }

    /// <summary>Failed sign-ins from the address's network in the current hour (a risk feature).</summary>
    public async Task<int> FailuresAsync(string? ipAddress, CancellationToken cancellationToken = default) =>
        (await counters.PeekAsync(Rule, NetworkOf(ipAddress), Window, cancellationToken)).Count;

    /// <summary>Counts one attempt; the wait when the network is past its limit (the attempt must not be checked).</summary>
    internal async Task<TimeSpan?> ReserveAsync(string? ipAddress, CancellationToken cancellationToken)
    {
        var (count, end) = await counters.CountAsync(Rule, NetworkOf(ipAddress), Window, cancellationToken);
        return count > limits.PerNetworkPerHour ? Wait(end) : null;
    }

    /// <summary>The attempt was no failure (the password was right): it does not count against the network.</summary>
    internal Task GiveBackAsync(string? ipAddress, CancellationToken cancellationToken) =>
        counters.GiveBackAsync(Rule, NetworkOf(ipAddress), Window, cancellationToken);

    private TimeSpan Wait(DateTimeOffset end) => end - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);

    private static string NetworkOf(string? ipAddress) => Networks.Of(ipAddress) ?? "unknown";
}
