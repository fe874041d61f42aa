using Microsoft.Playwright;

namespace Tessera.Portal.Tests.Browser;

/// <summary>Waits and actions the browser tests share, each failing with what the page says instead of a bare timeout.</summary>
internal static class PageSteps
{
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    /// <summary>
    /// Signs out from the security center's menu. The page is interactive: a click that lands while the circuit is
    /// still replacing the prerendered page is lost, so it waits for the network to settle and clicks until it took.
    /// </summary>
    public static async Task SignOutAsync(IPage page)
    {
        if (new Uri(page.Url).AbsolutePath != "/security")
        {
            await page.GotoAsync("/security");
        }
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ClickUntilAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }),
            () => Task.FromResult(new Uri(page.Url).AbsolutePath == "/"));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "Tessera.Auth");
    }

    public static async Task ExpectVisibleAsync(IPage page, ILocator locator, string what)
    {
        try
        {
            await locator.First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected to see {what} on {page.Url}, but it did not appear. The page says: {await page.InnerTextAsync("body")}");
        }
    }

    public static async Task WaitForPathAsync(IPage page, string path)
    {
        try
        {
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);
        }
        catch (TimeoutException) when (new Uri(page.Url).AbsolutePath == path)
        {
            // There, but its load event came late (a busy machine: seen once in CI): what the test reads next waits for
            // its own element, so the document having arrived is enough.
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected the browser to reach {path}, but it is on {page.Url}. The page says: {await page.InnerTextAsync("body")}");
        }
    }

    /// <summary>Clicks, and clicks again only if nothing happened in a while (a click that raced the circuit is lost).</summary>
    public static async Task ClickUntilAsync(IPage page, ILocator button, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await button.ClickAsync();
            var retryAt = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < retryAt)
            {
                if (await done())
                {
                    return;
                }
                await Task.Delay(100);
            }
            Assert.True(DateTime.UtcNow < deadline, $"Clicking {button} on {page.Url} had no effect within 10 seconds. The page says: {await page.InnerTextAsync("body")}");
        }
    }
}
