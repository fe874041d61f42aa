using System.Text.Json;
using Tessera.Domain.Contacts;

namespace Tessera.Portal.Tests.Domain;

public sealed class ChannelTests
{
    [Theory]
    [InlineData("sms", Channel.Sms)]
    [InlineData(" SMS ", Channel.Sms)]
    [InlineData("Email", Channel.Email)]
    public void Parse_KnownNameInAnyCase_GivesTheChannel(string name, Channel expected) =>
        Assert.Equal(expected, Channels.Parse(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fax")]
    [InlineData("1")]
    public void Parse_AnythingElse_GivesNull(string? name) =>
        Assert.Null(Channels.Parse(name));

    [Fact]
    public void Name_IsTheLowerCaseWireName() =>
        Assert.Equal(["email", "sms", "push"], Channels.All.Select(c => c.Name()));

    [Fact]
    public void Json_WritesTheName_AndReadsAnyCase()
    {
        Assert.Equal("""["sms","email"]""", JsonSerializer.Serialize(new[] { Channel.Sms, Channel.Email }));
        Assert.Equal([Channel.Email, Channel.Sms], JsonSerializer.Deserialize<Channel[]>("""["EMAIL","sms"]"""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Channel[]>("""["fax"]"""));
    }

    [Fact]
    public void Mask_UsesTheOnePhoneMaskAndTheOneEmailMask()
    {
        Assert.Equal(PhoneNumberParser.Mask("+447700900123"), Channel.Sms.Mask("+447700900123"));
        Assert.Equal("a•••@example.com", Channel.Email.Mask("alice@example.com"));
    }
}
