using Tessera.Domain.Challenges;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class ChallengeTextsTests
{
    private readonly ChallengeTexts texts = new(new ChallengeTextSettings("Tessera", "login.example.com"));

    [Fact]
    public void Sms_Always_EndsWithTheWebOtpLineForTheSignInDomain()
    {
        var (_, text) = texts.For("sign-in", Channel.Sms)("482915");

        Assert.EndsWith("\n\n@login.example.com #482915", text);
        Assert.StartsWith("482915 is your Tessera sign-in code.", text);
        Assert.Contains("Do not share it", text);
    }

    [Fact]
    public void Email_Always_CarriesTheCodeAndTheWarningWithoutAWebOtpLine()
    {
        var (subject, text) = texts.For("verify-phone", Channel.Email)("123987");

        Assert.Equal("Your Tessera phone verification code", subject);
        Assert.Contains("123987", text);
        Assert.Contains("Do not share it", text);
        Assert.DoesNotContain("#123987", text);
    }
}
