using Tessera.Domain.Audit;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class IpPseudonymizerTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    private IpPseudonymizer Pseudonymizer => database.Pseudonymizer;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task PseudonymizeAsync_SameAddressTwice_GivesTheSamePseudonym()
    {
        var first = await Pseudonymizer.PseudonymizeAsync("10.1.2.3");

        var second = await Pseudonymizer.PseudonymizeAsync("10.1.2.3");

        Assert.NotNull(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task PseudonymizeAsync_DifferentAddresses_GiveDifferentPseudonyms()
    {
        var first = await Pseudonymizer.PseudonymizeAsync("10.1.2.3");

        var second = await Pseudonymizer.PseudonymizeAsync("10.1.2.4");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task PseudonymizeAsync_Ipv4MappedIpv6_GivesTheIpv4Pseudonym()
    {
        var ipv4 = await Pseudonymizer.PseudonymizeAsync("10.1.2.3");

        var mapped = await Pseudonymizer.PseudonymizeAsync("::ffff:10.1.2.3");

        Assert.Equal(ipv4, mapped);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task PseudonymizeAsync_NoAddress_ReturnsNull(string? address)
    {
        var pseudonym = await Pseudonymizer.PseudonymizeAsync(address);

        Assert.Null(pseudonym);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("2001:db8::1")]
    public async Task PseudonymizeAsync_Output_DoesNotContainTheAddress(string address)
    {
        var pseudonym = await Pseudonymizer.PseudonymizeAsync(address);

        Assert.NotNull(pseudonym);
        Assert.DoesNotContain(address, pseudonym);
    }

    [Fact]
    public async Task PseudonymizeAsync_AnotherInstanceOverTheSameDatabase_GivesTheSamePseudonym()
    {
        var first = await Pseudonymizer.PseudonymizeAsync("10.1.2.3");
        var otherNode = new IpPseudonymizer(database.Secrets);

        var second = await otherNode.PseudonymizeAsync("10.1.2.3");

        Assert.Equal(first, second);
    }
}
