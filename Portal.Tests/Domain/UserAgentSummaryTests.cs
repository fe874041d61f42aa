using Tessera.Domain.Audit;

namespace Tessera.Portal.Tests.Domain;

public sealed class UserAgentSummaryTests
{
    [Theory]
    [InlineData(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome 126 on Windows")]
    [InlineData(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.92",
        "Edge 125 on Windows")]
    [InlineData(
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Firefox 127 on Linux")]
    [InlineData(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Safari 17 on iOS")]
    [InlineData(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36",
        "Chrome 131 on Linux")]
    [InlineData(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Safari 17 on macOS")]
    [InlineData(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
        "Chrome 126 on Android")]
    public void Summarize_RealBrowser_GivesBrowserMajorVersionAndOs(string userAgent, string expected)
    {
        var summary = UserAgentSummary.Summarize(userAgent);

        Assert.Equal(expected, summary);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Summarize_NoUserAgent_ReturnsNull(string? userAgent)
    {
        var summary = UserAgentSummary.Summarize(userAgent);

        Assert.Null(summary);
    }

    [Fact]
    public void Summarize_UnknownClientAndOs_ReturnsOther()
    {
        var summary = UserAgentSummary.Summarize("curl/8.5.0");

        Assert.Equal("Other", summary);
    }

    [Fact]
    public void Summarize_RealBrowser_DropsTheFullVersionAndBuildDetails()
    {
        var summary = UserAgentSummary.Summarize(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.127 Safari/537.36");

        Assert.NotNull(summary);
        Assert.DoesNotContain("6478", summary);
        Assert.DoesNotContain("Win64", summary);
    }
}
