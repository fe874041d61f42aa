using Tessera.Domain.Accounts;

namespace Tessera.Portal.Tests.Domain;

public sealed class PasswordRulesTests
{
    private static readonly PasswordRules Rules = new("Tessera");

    [Theory]
    [InlineData("password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData("1234567890")]
    [InlineData("password12")]
    [InlineData("aaaaaaaaaa")]
    [InlineData("iloveyou2024")]
    [InlineData("P@ssw0rd123")]
    [InlineData("tessera2026!")]
    public void Validate_CommonOrPatternedPassword_IsRefusedSayingWhy(string password)
    {
        var result = Rules.Validate("ada@example.com", password);

        var error = Assert.Single(result.Errors);
        Assert.Equal(PasswordRules.TooGuessable, error.Code);
        Assert.Contains("too easy to guess", error.Description);
    }

    [Fact]
    public void TheShippedBlocklist_HoldsAtLeastAHundredThousandDistinctPasswords()
    {
        var ranked = CommonPasswords.Ranked().ToList();

        Assert.True(CommonPasswords.Count >= 100_000, $"The blocklist holds {CommonPasswords.Count} passwords.");
        Assert.Equal(ranked.Count, ranked.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("123456", ranked[0]);
        Assert.True(CommonPasswords.Contains("  PASSWORD  "));
        Assert.False(CommonPasswords.Contains("violin kettle marmalade"));
    }

    [Fact]
    public void BreachedPasswords_ThatZxcvbnAloneWouldAccept_AreRefusedByTheBlocklist()
    {
        // Long listed passwords that zxcvbn's own dictionaries and patterns score as strong: only the list catches them.
        // (The list's long entries past the first 2,000, where zxcvbn's own ranked lists have run out, and 120 of them.)
        var slipping = CommonPasswords.Ranked().Where(p => p.Length >= 10).Skip(2000).Take(120).Where(p => Rules.Measure(p).Acceptable).ToList();

        Assert.True(slipping.Count >= 5, $"The list adds only {slipping.Count} of 120 to zxcvbn's own dictionaries.");
        Assert.All(slipping, password => Assert.Contains("most common passwords", Assert.Single(Rules.Validate("ada@example.com", password).Errors).Description));
    }

    [Theory]
    [InlineData("ada.lovelace@example.com")]
    [InlineData("ADA.LOVELACE@EXAMPLE.COM")]
    [InlineData("ada.lovelace")]
    public void Validate_TheEmailAddressOrItsLocalPart_IsRefused(string password)
    {
        var result = Rules.Validate("ada.lovelace@example.com", password);

        Assert.Equal(PasswordRules.IsEmail, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("correct horse battery")]
    [InlineData("violin kettle marmalade")]
    [InlineData("Xk3#pq9!Lm2v")]
    public void Validate_HardToGuessPassword_IsAccepted(string password) =>
        Assert.True(Rules.Validate("ada@example.com", password).Succeeded);

    [Fact]
    public void Measure_RatesStrongerPasswordsHigher()
    {
        var weak = Rules.Measure("password");
        var strong = Rules.Measure("violin kettle marmalade");

        Assert.True(weak.Score < strong.Score);
        Assert.False(weak.Acceptable);
        Assert.True(strong.Acceptable);
        Assert.NotNull(weak.Warning);
    }
}
