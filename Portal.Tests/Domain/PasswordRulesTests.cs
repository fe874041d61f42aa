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
