using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Portal.Components.Pages;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class HomeTests : MudComponentTest
{
    private readonly Bunit.TestDoubles.BunitAuthorizationContext auth;

    public HomeTests()
    {
        Services.AddSingleton(Options.Create(new TesseraOptions { ApplicationName = "Acme" }));
        auth = AddAuthorization();
    }

    [Fact]
    public void Render_Anonymous_LinksToSignIn()
    {
        var cut = Render<Home>();

        var link = cut.Find("a[href='Account/Login']");
        Assert.Equal("Sign in", link.TextContent.Trim());
    }

    [Fact]
    public void Render_Anonymous_LinksToCreateAnAccount()
    {
        var cut = Render<Home>();

        var link = cut.Find("a[href='Account/Register']");
        Assert.Equal("Create an account", link.TextContent.Trim());
    }

    [Fact]
    public void Render_Anonymous_DoesNotLinkToTheSecurityCenter()
    {
        var cut = Render<Home>();

        Assert.Empty(cut.FindAll("a[href='/security']"));
    }

    [Fact]
    public void Render_SignedIn_LinksToTheSecurityCenter()
    {
        auth.SetAuthorized("alice@example.com");

        var cut = Render<Home>();

        Assert.Single(cut.FindAll("a[href='/security']"));
    }

    [Fact]
    public void Render_SignedIn_DoesNotOfferSignIn()
    {
        auth.SetAuthorized("alice@example.com");

        var cut = Render<Home>();

        Assert.Empty(cut.FindAll("a[href='Account/Login']"));
        Assert.Empty(cut.FindAll("a[href='Account/Register']"));
    }

    [Fact]
    public void Render_Always_ShowsTheConfiguredProductName()
    {
        var cut = Render<Home>();

        Assert.Equal("Acme", cut.Find("h1").TextContent.Trim());
    }
}
