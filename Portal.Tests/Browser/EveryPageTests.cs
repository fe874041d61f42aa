using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Tessera.Domain.Accounts;
using Tessera.Portal.Tests.Support;

using static Tessera.Portal.Tests.Browser.PageSteps;

namespace Tessera.Portal.Tests.Browser;

/// <summary>
/// Every page of the README's route table, as the visitors it is for (anonymous, half-way through signing in, a user
/// with an authenticator app, an admin): it fits a 390 px phone and a 1280 px screen without sideways scrolling, it has
/// one main landmark and a skip link, and axe-core finds no critical or serious violation in light or dark mode.
/// </summary>
public sealed class EveryPageTests(EveryPageTests.Fixture fixture) : IClassFixture<EveryPageTests.Fixture>
{
    private const string Password = "correct-horse-battery";

    private static readonly string[] AnonymousPages =
    [
        "/", "/Account/Login", "/Account/Register", "/Account/ForgotPassword", "/Account/ForgotPasswordConfirmation",
        "/Account/ResendEmailConfirmation", "/Account/RegisterConfirmation?email=nobody%40example.com", "/Account/Lockout",
        "/Account/InvalidPasswordReset", "/Account/ResetPasswordConfirmation", "/Account/NotMe?token=not-a-token",
        "/Account/ConfirmEmailChange?userId=x&email=y&code=z", "/Account/AccessDenied", "/signin/qr", "/signin/push", "/api/docs", "/Account/Deleted", "/no-such-page",
    ];

    private static readonly string[] SecondStepPages = ["/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode", "/Account/LoginWithCode", "/Account/LoginWithPush"];

    private static readonly string[] UserPages =
    [
        "/security", "/security/account", "/security/activity", "/security/passkeys", "/security/authenticators",
        "/security/phones", "/security/sessions", "/security/devices", "/push/not-a-token", "/dev/outbox", "/admin",
    ];

    private static readonly string[] AdminPages =
    [
        "/admin", "/admin/users", "/admin/users/{user}", "/admin/audit", "/admin/deliveries", "/admin/policies",
        "/admin/api-clients", "/admin/keys", "/admin/jobs",
    ];

    [Fact]
    public Task EveryPage_FitsA390PxPhone_WithoutSidewaysScrolling() => FitsAsync(390, 844);

    /// <summary>1280 px: the same pass also runs axe-core, which is what takes the time.</summary>
    [Fact]
    public Task EveryPage_At1280Px_InLightMode_FitsAndHasNoCriticalOrSeriousAxeViolation() => AccessibleAsync(dark: false);

    [Fact]
    public Task EveryPage_At1280Px_InDarkMode_FitsAndHasNoCriticalOrSeriousAxeViolation() => AccessibleAsync(dark: true);

    /// <summary>The policy is on in these browser tests, and a refusal is seen: an injected inline script does not run and is reported.</summary>
    [Fact]
    public async Task AnInjectedInlineScript_IsRefused_AndTheRefusalIsReported()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.head.append(s); }");
        await page.WaitForTimeoutAsync(200);

        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Contains(fixture.TakePolicyViolations(), v => v.Contains("/Account/Login: script-src-elem refused inline", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    // The README's phone pictures come from this pass (TESSERA_SCREENSHOTS=1).
    private static readonly Dictionary<string, string> PhoneScreenshots = new()
    {
        ["/security"] = "security-390.png",
        ["/security/activity"] = "activity-390.png",
        ["/Account/LoginWith2fa"] = "second-step-390.png",
        ["/security/sessions"] = "sessions-390.png",
    };

    private async Task FitsAsync(int width, int height)
    {
        var problems = new List<string>();
        await VisitEveryPageAsync(width, height, dark: false, async (page, path) =>
        {
            await CheckFitAsync(page, path, problems);
            if (width < 600 && PhoneScreenshots.TryGetValue(path, out var file))
            {
                await BrowserFixture.SaveScreenshotAsync(page, file);
            }
        });
        Assert.True(problems.Count == 0, "Pages wider than the window:\n" + string.Join("\n", problems));
    }

    private static async Task CheckFitAsync(IPage page, string path, List<string> problems)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scroll, viewport) = (widths[0], widths[1]);
        if (scroll != viewport)
        {
            var widest = await page.EvaluateAsync<string>(PageLayout.WidestElementScript);
            problems.Add($"{path}: {scroll} px wide at {viewport} px ({widest})");
        }
    }

    private async Task AccessibleAsync(bool dark)
    {
        var problems = new List<string>();
        await VisitEveryPageAsync(1280, 800, dark, async (page, path) =>
        {
            await CheckFitAsync(page, path, problems);
            // Screen readers pick their voice from it: every page says its language, Hangfire's dashboard too.
            if (await page.EvaluateAsync<string>("() => document.documentElement.lang") is not ("en" or "en-US" or "en-GB") and var lang)
            {
                problems.Add($"{path}: <html lang=\"{lang}\">, not English");
            }
            // Hangfire's own dashboard is not Tessera's page: it is checked for fit, not for its markup.
            if (path == "/admin/jobs")
            {
                return;
            }
            if (await page.Locator("main").CountAsync() != 1)
            {
                problems.Add($"{path}: {await page.Locator("main").CountAsync()} <main> landmarks");
            }
            if (await page.Locator("a.skip-link").CountAsync() != 1)
            {
                problems.Add($"{path}: no skip link");
            }
            else if (await page.Locator("a.skip-link").GetAttributeAsync("href") is not { } target
                     || await page.Locator(target).CountAsync() != 1)
            {
                problems.Add($"{path}: the skip link leads nowhere ({await page.Locator("main").EvaluateAsync<string>("m => m.outerHTML.slice(0, 200)")})");
            }
            if (path == "/api/docs")
            {
                foreach (var cloudOnly in new[] { "Deploy", "Share", "Generate SDK" })
                {
                    if (await page.GetByRole(AriaRole.Button, new() { Name = cloudOnly }).CountAsync() > 0)
                    {
                        problems.Add($"/api/docs: a \"{cloudOnly}\" button, which needs Scalar's cloud");
                    }
                }
            }
            var results = await page.RunAxe();
            foreach (var violation in results.Violations.Where(v => v.Impact is "critical" or "serious"))
            {
                var nodes = string.Join(" | ", violation.Nodes.Take(3).Select(n => $"{n.Target} {n.Any.Concat(n.All).Concat(n.None).FirstOrDefault()?.Message}"));
                problems.Add($"{path}: {violation.Impact} {violation.Id} ({violation.Nodes.Count()} elements): {nodes}");
            }
        });
        problems.AddRange(fixture.PolicyViolations.Distinct().Select(v => $"refused by the Content Security Policy: {v}"));
        Assert.True(problems.Count == 0, $"Problems at 1280 px in {(dark ? "dark" : "light")} mode:\n" + string.Join("\n", problems));
    }

    private async Task VisitEveryPageAsync(int width, int height, bool dark, Func<IPage, string, Task> check)
    {
        var anonymous = await NewPageAsync(width, height, dark);
        foreach (var path in AnonymousPages)
        {
            await OpenAsync(anonymous, path, check);
        }

        var halfway = await NewPageAsync(width, height, dark);
        await SignInAsync(halfway, fixture.User, Password);
        await WaitForPathAsync(halfway, "/Account/LoginWith2fa");
        foreach (var path in SecondStepPages)
        {
            await OpenAsync(halfway, path, check);
        }

        var user = await NewPageAsync(width, height, dark, await fixture.SignedInAsync(fixture.User, SignInWithCodeAsync));
        // The phone's side of a QR sign-in that another browser started.
        var laptop = await NewPageAsync(1280, 800, dark);
        await QrBrowser.OpenLaptopAsync(laptop);
        var qr = await QrBrowser.ScanAsync(laptop);
        foreach (var path in UserPages.Append(qr.PathAndQuery))
        {
            await OpenAsync(user, path, check);
        }

        var admin = await NewPageAsync(width, height, dark, await fixture.SignedInAsync(fixture.Admin, async (page, email) =>
        {
            await SignInAsync(page, email, Password);
            await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/Account/", StringComparison.Ordinal));
        }));
        foreach (var path in AdminPages)
        {
            await OpenAsync(admin, path.Replace("{user}", fixture.UserId), check);
        }
    }

    private async Task SignInWithCodeAsync(IPage page, string email)
    {
        await SignInAsync(page, email, Password);
        await WaitForPathAsync(page, "/Account/LoginWith2fa");
        await page.GetByLabel("Authentication code").FillAsync(await fixture.NextCodeAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/Account/", StringComparison.Ordinal));
    }

    private static async Task OpenAsync(IPage page, string path, Func<IPage, string, Task> check)
    {
        await page.GotoAsync(path);
        // Live: an interactive page once its circuit is up (app.js drops t-prerendered), the API docs once Scalar drew them.
        await page.WaitForFunctionAsync(path == "/api/docs"
            ? "() => document.querySelector('main')"
            : "() => document.body && !document.body.classList.contains('t-prerendered')");
        // MudBlazor lays some parts out in script after the first paint (drawers, selects, charts).
        await page.WaitForTimeoutAsync(300);
        await check(page, path);
    }

    private async Task<IPage> NewPageAsync(int width, int height, bool dark, string? storageState = null)
    {
        var page = await fixture.NewPageAsync(storageState);
        await page.SetViewportSizeAsync(width, height);
        if (dark)
        {
            await page.Context.AddCookiesAsync([new Cookie { Name = "tessera-theme", Value = "dark", Url = fixture.BaseUrl.ToString() }]);
        }
        return page;
    }

    public sealed class Fixture : BrowserFixture
    {
        private byte[] secret = [];
        private long lastStep;

        public string User { get; } = QrBrowser.NewEmail("pages-user");

        public string Admin { get; } = QrBrowser.NewEmail("pages-admin");

        public string UserId { get; private set; } = "";

        private readonly Dictionary<string, string> signedIn = [];
        private readonly SemaphoreSlim signingIn = new(1, 1);

        /// <summary>
        /// The cookies of one sign-in of this account, made once and shared by every pass: each sign-in with an
        /// authenticator code needs a time step not used before, and waiting for one would slow every pass down.
        /// </summary>
        public async Task<string> SignedInAsync(string email, Func<IPage, string, Task> signIn)
        {
            await signingIn.WaitAsync();
            try
            {
                if (!signedIn.TryGetValue(email, out var state))
                {
                    var page = await NewPageAsync();
                    await signIn(page, email);
                    state = signedIn[email] = await page.Context.StorageStateAsync();
                    await page.Context.CloseAsync();
                }
                return state;
            }
            finally
            {
                signingIn.Release();
            }
        }

        // Every pass opens a QR sign-in from this one address; the per-network cap must not be what a test measures.
        protected override Uri StartServer(TesseraFactory factory) => factory.With("CrossDevice:MaxLiveSessionsPerIp", "50").StartKestrel();

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var user = await Factory.CreateUserAsync(User, Password);
            UserId = user.Id;
            secret = await TotpEnrollment.EnrollAsync(Factory, user.Id, User);
            lastStep = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            await Factory.CreateUserAsync(Admin, Password, Roles.Admin);
        }

        /// <summary>
        /// A code of a time step not used before (a reused code is refused), waiting when the next unused step is not
        /// yet inside the ±1 step window.
        /// </summary>
        public async Task<string> NextCodeAsync()
        {
            while (true)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
                var step = Math.Max(lastStep + 1, now);
                if (step <= now + 1)
                {
                    lastStep = step;
                    return Tessera.Domain.Factors.OneTimeCodes.ComputeTotp(secret, DateTimeOffset.FromUnixTimeSeconds(step * 30));
                }
                await Task.Delay(1000);
            }
        }
    }
}
