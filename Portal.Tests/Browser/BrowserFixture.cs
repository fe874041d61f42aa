using Microsoft.Playwright;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// One Tessera server on a real Kestrel port and one headless Chromium, shared by the tests of a class.
/// Each test opens its own <see cref="IBrowserContext"/>, so cookies never leak from one test to the next.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium: Playwright's own browser download is not available on the build machines.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;
    private readonly List<string> policyViolations = [];

    public TesseraFactory Factory { get; } = new();

    public Uri BaseUrl { get; private set; } = default!;

    /// <summary>Set TESSERA_SCREENSHOTS=1 to refresh the pictures in docs/screenshots/.</summary>
    public static bool TakeScreenshots => Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS") == "1";

    public virtual async Task InitializeAsync()
    {
        // A missing browser is a broken test machine, not a reason to skip: fail loudly.
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {ChromiumPath}, and it is missing. Install it (apt-get install chromium); do not run 'playwright install'.");
        }

        BaseUrl = StartServer(Factory);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
    }

    /// <summary>Starts the app and returns the address the browser uses; a fixture that needs other settings overrides it.</summary>
    protected virtual Uri StartServer(TesseraFactory factory) => factory.StartKestrel();

    /// <param name="storageState">Cookies saved from another context (<c>StorageStateAsync</c>): already signed in.</param>
    public async Task<IPage> NewPageAsync(string? storageState = null)
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            StorageState = storageState,
        });
        context.SetDefaultTimeout(10_000);
        context.SetDefaultNavigationTimeout(15_000);
        // Every script, style or connection the Content Security Policy refuses fires securitypolicyviolation in the
        // page (Chromium's console line for it is a log entry that Playwright does not pass on). The listener and the
        // binding it reports through are installed by the browser itself, outside the page's policy.
        await context.ExposeFunctionAsync("__tesseraPolicyViolation", (string report) =>
        {
            lock (policyViolations)
            {
                policyViolations.Add(report);
            }
        });
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                window.__tesseraPolicyViolation(`${e.documentURI}: ${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile || ''}:${e.lineNumber}) ${e.sample || ''}`));
            """);
        return await context.NewPageAsync();
    }

    /// <summary>Hands over what was refused so far and forgets it: for a test that provokes a refusal on purpose.</summary>
    public IReadOnlyList<string> TakePolicyViolations()
    {
        lock (policyViolations)
        {
            var taken = policyViolations.ToList();
            policyViolations.Clear();
            return taken;
        }
    }

    /// <summary>What the Content Security Policy refused in any page of this fixture so far.</summary>
    public IReadOnlyList<string> PolicyViolations
    {
        get
        {
            lock (policyViolations)
            {
                return [.. policyViolations];
            }
        }
    }

    public static async Task SaveScreenshotAsync(IPage page, string fileName)
    {
        if (!TakeScreenshots)
        {
            return;
        }
        var folder = Path.Combine(RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, fileName) });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }
        playwright?.Dispose();
        await Factory.DisposeAsync();
        // Every browser test runs under the real policy: a refused script or style fails the class that caused it.
        if (PolicyViolations.Count > 0)
        {
            throw new InvalidOperationException("The Content Security Policy refused something:\n" + string.Join("\n", PolicyViolations.Distinct()));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Portal.sln not found above {AppContext.BaseDirectory}.");
    }
}
