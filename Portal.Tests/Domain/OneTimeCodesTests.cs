using System.Text;
using OtpNet;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The RFC test vectors, through the same code the app verifies sign-in codes with.</summary>
public sealed class OneTimeCodesTests
{
    private static readonly byte[] Rfc4226Secret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(0, "755224")]
    [InlineData(1, "287082")]
    [InlineData(2, "359152")]
    [InlineData(3, "969429")]
    [InlineData(4, "338314")]
    [InlineData(5, "254676")]
    [InlineData(6, "287922")]
    [InlineData(7, "162583")]
    [InlineData(8, "399871")]
    [InlineData(9, "520489")]
    public void Hotp_Rfc4226Vectors_ComputeAndVerify(long counter, string expected)
    {
        Assert.Equal(expected, OneTimeCodes.ComputeHotp(Rfc4226Secret, counter));
        Assert.True(OneTimeCodes.MatchHotp(Rfc4226Secret, expected, counter));
        Assert.False(OneTimeCodes.MatchHotp(Rfc4226Secret, expected, counter + 1));
    }

    [Theory]
    [InlineData(59L, "94287082", OtpHashMode.Sha1)]
    [InlineData(59L, "46119246", OtpHashMode.Sha256)]
    [InlineData(59L, "90693936", OtpHashMode.Sha512)]
    [InlineData(1111111109L, "07081804", OtpHashMode.Sha1)]
    [InlineData(1111111109L, "68084774", OtpHashMode.Sha256)]
    [InlineData(1111111109L, "25091201", OtpHashMode.Sha512)]
    [InlineData(1111111111L, "14050471", OtpHashMode.Sha1)]
    [InlineData(1111111111L, "67062674", OtpHashMode.Sha256)]
    [InlineData(1111111111L, "99943326", OtpHashMode.Sha512)]
    [InlineData(1234567890L, "89005924", OtpHashMode.Sha1)]
    [InlineData(1234567890L, "91819424", OtpHashMode.Sha256)]
    [InlineData(1234567890L, "93441116", OtpHashMode.Sha512)]
    [InlineData(2000000000L, "69279037", OtpHashMode.Sha1)]
    [InlineData(2000000000L, "90698825", OtpHashMode.Sha256)]
    [InlineData(2000000000L, "38618901", OtpHashMode.Sha512)]
    [InlineData(20000000000L, "65353130", OtpHashMode.Sha1)]
    [InlineData(20000000000L, "77737706", OtpHashMode.Sha256)]
    [InlineData(20000000000L, "47863826", OtpHashMode.Sha512)]
    public void Totp_Rfc6238Vectors_MatchAtTheirTimeStep(long unixSeconds, string expected, OtpHashMode mode)
    {
        var secret = Rfc6238Secret(mode);
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

        var step = OneTimeCodes.MatchTotp(secret, expected, at, window: 0, mode, digits: 8);

        Assert.Equal(expected, OneTimeCodes.ComputeTotp(secret, at, mode, digits: 8));
        Assert.Equal(unixSeconds / 30, step);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("１２３４５６")]
    public void MatchTotp_MalformedCode_IsRefused(string code)
    {
        Assert.Null(OneTimeCodes.MatchTotp(Rfc4226Secret, code, DateTimeOffset.FromUnixTimeSeconds(59), window: 2));
    }

    [Fact]
    public void KeyUri_FollowsTheKeyUriFormat()
    {
        var uri = new Uri(OneTimeCodes.KeyUri(Rfc4226Secret, "Tessera", "ada@example.com"));

        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal(Base32Encoding.ToString(Rfc4226Secret).TrimEnd('='), query["secret"]!.TrimEnd('='));
        Assert.Equal("Tessera", query["issuer"]);
        Assert.Equal("SHA1", query["algorithm"]);
        Assert.Equal("6", query["digits"]);
        Assert.Equal("30", query["period"]);
        Assert.Contains("ada@example.com", Uri.UnescapeDataString(uri.AbsolutePath));
    }

    [Fact]
    public void GroupedBase32_IsTheSecretInGroupsOfFour()
    {
        var grouped = OneTimeCodes.GroupedBase32(Rfc4226Secret);

        Assert.Equal("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", grouped);
        Assert.Equal(Rfc4226Secret, Base32Encoding.ToBytes(grouped.Replace(" ", "")));
    }

    private static byte[] Rfc6238Secret(OtpHashMode mode) => Encoding.ASCII.GetBytes(mode switch
    {
        OtpHashMode.Sha256 => "12345678901234567890123456789012",
        OtpHashMode.Sha512 => "1234567890123456789012345678901234567890123456789012345678901234",
        _ => "12345678901234567890",
    });
}
