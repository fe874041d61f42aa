using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class PhoneNumberParserTests
{
    [Theory]
    [InlineData("+44 20 7946 0123", "GB", "+442079460123", "GB")]
    [InlineData("020 7946 0123", "GB", "+442079460123", "GB")]
    [InlineData("+441632960123", "US", "+441632960123", "GB")]
    [InlineData("(202) 555-0123", "US", "+12025550123", "US")]
    [InlineData("+33 6 12 34 56 78", "GB", "+33612345678", "FR")]
    public void TryParse_ValidOrReservedNumber_NormalisesToE164WithItsRegion(string input, string defaultRegion, string e164, string region)
    {
        Assert.True(PhoneNumberParser.TryParse(input, defaultRegion, out var phone, out var error), error);

        Assert.Equal(e164, phone!.E164);
        Assert.Equal(region, phone.RegionCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a number")]
    [InlineData("+1234")]
    [InlineData("+44 1632 12")]
    [InlineData("+999 123 456 789")]
    [InlineData("+4416329601231234567890123456789012")]
    public void TryParse_NotAPhoneNumber_ExplainsWhy(string input)
    {
        Assert.False(PhoneNumberParser.TryParse(input, "GB", out var phone, out var error));

        Assert.Null(phone);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Mask_UkNumber_KeepsCountryCodeAndLastThreeDigits()
    {
        Assert.Equal("+44 •••• ••• 123", PhoneNumberParser.Mask("+441632960123"));
    }
}
