using System.Security.Cryptography;
using System.Text;

namespace Tessera.Domain.ApiClients;

/// <summary>The key format: <c>tsk_&lt;id&gt;_&lt;43 base64url characters: 32 random bytes&gt;</c>.</summary>
public static class ApiKeys
{
    public const string Prefix = "tsk_";
    private const string IdAlphabet = "abcdefghijkmnopqrstuvwxyz23456789";
    private const int IdLength = 12;
    private const int SecretLength = 43;

    public static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, IdLength);

    public static string NewKey(string id) => $"{Prefix}{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";

    public static string DisplayPrefix(string id) => Prefix + id;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The id part of a well-formed key; false for anything else, without looking anything up.</summary>
    public static bool TryParseId(string? key, out string id)
    {
        id = "";
        if (key is null || key.Length != Prefix.Length + IdLength + 1 + SecretLength
            || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
        {
            return false;
        }
        id = key.Substring(Prefix.Length, IdLength);
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
