using System.Diagnostics;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Integration;

/// <summary>
/// `dotnet publish` output carries the repository's root appsettings.json and wwwroot/ (linked, not copied in git),
/// and the published app reads and serves them.
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "tessera-publish", Guid.NewGuid().ToString("N"));
    private PortalProcess.Running? app;

    [Fact]
    public async Task PublishedApp_ReadsRootAppsettings_AndServesRootWwwroot()
    {
        var output = Path.Combine(work, "out");
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(PortalProcess.RepositoryRoot, "Portal", "Portal.csproj"), "-c", "Release", "-o", output, "--nologo"], TimeSpan.FromMinutes(5));
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(PortalProcess.RepositoryRoot, "appsettings.json")),
            await File.ReadAllTextAsync(Path.Combine(output, "appsettings.json")));

        // The fallback address comes only from the root appsettings.json (Tessera:DefaultUrls): answering there proves
        // the file was read.
        app = PortalProcess.Start(Path.Combine(output, "Tessera.Portal.dll"), [], new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Tessera__DataDirectory"] = Path.Combine(work, "data"),
        }, work);
        var baseAddress = new Uri("http://localhost:5080");
        var css = await app.GetWhenUpAsync(baseAddress, "/app.css");

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(PortalProcess.RepositoryRoot, "wwwroot", "app.css")), css);
        Assert.Contains("app.js", await app.GetWhenUpAsync(baseAddress, "/"));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose()
    {
        app?.Dispose();
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
