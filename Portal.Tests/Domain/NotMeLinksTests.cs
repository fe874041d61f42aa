using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class NotMeLinksTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Redeem_WorksOnce()
    {
        var links = database.NotMeLinks;
        var token = links.Issue("user-1", "password-changed");

        var first = await links.RedeemAsync(token);
        var second = await links.RedeemAsync(token);

        Assert.Equal(new NotMeClaim("user-1", "password-changed"), first);
        Assert.Null(second);
    }

    [Fact]
    public async Task Read_DoesNotSpendTheLink()
    {
        var links = database.NotMeLinks;
        var token = links.Issue("user-1", "factor-added");

        Assert.NotNull(links.Read(token));
        Assert.NotNull(links.Read(token));
        Assert.NotNull(await links.RedeemAsync(token));
    }

    [Fact]
    public async Task Redeem_AfterSevenDaysAndASecond_Fails_ButJustBeforeWorks()
    {
        var links = database.NotMeLinks;
        var late = links.Issue("user-1", "email-changed");
        var inTime = links.Issue("user-2", "email-changed");

        database.Time.Advance(NotMeLinks.Lifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(await links.RedeemAsync(inTime));
        database.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(links.Read(late));
        Assert.Null(await links.RedeemAsync(late));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Redeem_AForgedOrMangledLink_Fails(string? token) =>
        Assert.Null(await database.NotMeLinks.RedeemAsync(token));

    [Fact]
    public async Task ALinkFromAnotherInstall_Fails()
    {
        await using var elsewhere = await TestDatabase.CreateAsync();
        var foreign = elsewhere.NotMeLinks.Issue("user-1", "password-changed");

        Assert.Null(await database.NotMeLinks.RedeemAsync(foreign));
    }
}
