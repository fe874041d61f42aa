using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class EmailAddressesTests
{
    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("Alice.B+tag@Example.COM", "Alice.B+tag@example.com")]
    public void NormalizeEmail_PlainAddress_KeepsTheLocalPartAndLowersTheDomain(string input, string expected) =>
        Assert.Equal(expected, EmailAddresses.Normalize(input));

    [Theory]
    [InlineData("Alice <alice@example.com>")]
    [InlineData("alice@localhost")]
    [InlineData("alice@@example.com")]
    [InlineData("al ice@example.com")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice@example..com")]
    [InlineData("a,b@example.com")]
    public void NormalizeEmail_AnythingButAPlainAddress_IsRefused(string input) =>
        Assert.Null(EmailAddresses.Normalize(input));

    [Fact]
    public void MaskEmail_ShowsTheFirstLetterAndTheDomain() =>
        Assert.Equal("a•••@example.com", EmailAddresses.Mask("alice@example.com"));

    [Fact]
    public void MaskEmail_VeryLongDomain_FitsTheStoredColumn()
    {
        var masked = EmailAddresses.Mask("a@" + new string('d', 150) + ".example.com");

        Assert.True(masked.Length <= 64, masked);
        Assert.EndsWith(".example.com", masked);
    }
}
