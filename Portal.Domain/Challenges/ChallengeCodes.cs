using System.Security.Cryptography;
using System.Text;
using Tessera.Domain.Contacts;
using Tessera.Domain.Keys;

namespace Tessera.Domain.Challenges;

/// <summary>Generates codes and computes the keyed hashes stored in their place.</summary>
internal static class ChallengeCodes
{
    /// <summary>One uniform draw per digit: 10^10 does not fit a single GetInt32 draw, and the digits stay unbiased.</summary>
    public static string Generate(int length) =>
        string.Create(length, 0, static (digits, _) =>
        {
            for (var i = 0; i < digits.Length; i++)
            {
                digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
            }
        });

    /// <summary>
    /// HMAC-SHA256 over the challenge id and the code: the same code sent for two challenges hashes differently, so a
    /// stored hash cannot be replayed onto, or compared against, another challenge.
    /// </summary>
    public static byte[] Mac(byte[] key, Guid challengeId, string code) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"tessera.challenge.v1|{challengeId:N}|{code}"));

    /// <summary>The keyed hash stored on a challenge, tagged with the key version it was made with.</summary>
    public static string DestinationHash(InstallSecret key, string countedDestination) =>
        key.KeyedHash($"tessera.destination.v1|{countedDestination}");

    /// <summary>
    /// What limits count a destination as: a number as given (E.164), a mailbox not a spelling ("Bob@x", "bob@x" and
    /// "bob+1@x" are one inbox). The message still goes to the address as typed.
    /// </summary>
    public static string CountedDestination(Channel channel, string destination) =>
        channel == Channel.Email ? EmailAddresses.MailboxKey(destination) : destination;

    /// <summary>People type codes with spaces or dashes from grouped displays; those never change the digits.</summary>
    public static string Normalize(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
}
