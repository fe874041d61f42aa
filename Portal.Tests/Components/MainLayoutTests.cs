using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Domain.Accounts;
using Tessera.Portal.Components.Layout;
using Tessera.Portal.Hosting;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Components;

public sealed class MainLayoutTests : MudComponentTest
{
    private readonly Bunit.TestDoubles.BunitAuthorizationContext auth;
    private TestDatabase database = null!;

    public MainLayoutTests()
    {
        Services.AddSingleton(Options.Create(new TesseraOptions { ApplicationName = "Acme" }));
        auth = AddAuthorization();
    }

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        Services.AddSingleton(database.Mfa());
    }

    protected override async Task DisposeTestAsync() => await database.DisposeAsync();

    [Fact]
    public void Render_Always_ShowsTheConfiguredProductName()
    {
        var cut = Render<MainLayout>();

        Assert.Equal("Acme", cut.Find("header a[href='/']").TextContent.Trim());
    }

    [Fact]
    public void Render_Always_HasALabelledDarkModeToggle()
    {
        var cut = Render<MainLayout>();

        Assert.Single(cut.FindAll("button[aria-label='Toggle dark mode']"));
    }

    [Fact]
    public void ToggleDarkMode_FromLight_CallsSetThemeWithDark()
    {
        var setTheme = JSInterop.SetupVoid("tessera.setTheme", "dark");
        var cut = Render<MainLayout>();

        cut.Find("button[aria-label='Toggle dark mode']").Click();

        var invocation = setTheme.VerifyInvoke("tessera.setTheme");
        Assert.Equal("dark", Assert.Single(invocation.Arguments));
    }

    [Fact]
    public void ToggleDarkMode_Twice_CallsSetThemeWithLightTheSecondTime()
    {
        var cut = Render<MainLayout>();

        cut.Find("button[aria-label='Toggle dark mode']").Click();
        cut.Find("button[aria-label='Toggle dark mode']").Click();

        var themes = JSInterop.Invocations["tessera.setTheme"].Select(i => Assert.Single(i.Arguments)).ToList();
        Assert.Equal(["dark", "light"], themes);
    }

    [Fact]
    public void Render_Anonymous_ShowsSignIn()
    {
        var cut = Render<MainLayout>();

        Assert.Contains(cut.FindAll("nav a"), a => a.TextContent.Trim() == "Sign in");
    }

    [Fact]
    public void Render_Anonymous_HidesAdmin()
    {
        var cut = Render<MainLayout>();

        Assert.DoesNotContain(cut.FindAll("nav a"), a => a.TextContent.Trim() == "Admin");
    }

    [Fact]
    public void Render_SignedInUser_HidesAdmin()
    {
        auth.SetAuthorized("user@example.com");
        auth.SetRoles(Roles.User);

        var cut = Render<MainLayout>();

        Assert.DoesNotContain(cut.FindAll("nav a"), a => a.TextContent.Trim() == "Admin");
    }

    [Fact]
    public void Render_SignedInUser_HidesSignIn()
    {
        auth.SetAuthorized("user@example.com");
        auth.SetRoles(Roles.User);

        var cut = Render<MainLayout>();

        Assert.DoesNotContain(cut.FindAll("nav a"), a => a.TextContent.Trim() == "Sign in");
    }

    [Fact]
    public void Render_Admin_ShowsAdmin()
    {
        auth.SetAuthorized("admin@example.com");
        auth.SetRoles(Roles.User, Roles.Admin);

        var cut = Render<MainLayout>();

        var admin = Assert.Single(cut.FindAll("nav a"), a => a.TextContent.Trim() == "Admin");
        Assert.Equal("/admin", admin.GetAttribute("href"));
    }
}
