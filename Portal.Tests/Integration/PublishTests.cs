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
    private Process? app;

    [Fact]
    public async Task PublishedApp_ReadsRootAppsettings_AndServesRootWwwroot()
    {
        var output = Path.Combine(work, "out");
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(PortalProcess.RepositoryRoot, "Portal", "Portal.csproj"), "-c", "Release", "-o", output, "--nologo"], TimeSpan.FromMinutes(5));
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(PortalProcess.RepositoryRoot, "appsettings.json")),
            await File.ReadAllTextAsync(Path.Combine(output, "appsettings.json")));

        // The URL comes only from the root appsettings.json ("Urls"): answering there proves the file was read.
        app = Start(Path.Combine(output, "Tessera.Portal.dll"));
        using var http = new HttpClient { BaseAddress = new Uri("http://localhost:5080") };
        var css = await GetWhenUpAsync(http, "/app.css", app);

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(PortalProcess.RepositoryRoot, "wwwroot", "app.css")), css);
        Assert.Contains("app.js", await http.GetStringAsync("/"));
    }

    private Process Start(string assembly)
    {
        var start = new ProcessStartInfo("dotnet", [assembly]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Tessera__DataDirectory"] = Path.Combine(work, "data");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_URLS");
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> GetWhenUpAsync(HttpClient http, string path, Process app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(app.HasExited, $"The published app exited with code {(app.HasExited ? app.ExitCode : 0)}.");
            try
            {
                return await http.GetStringAsync(path);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
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
        if (app is { HasExited: false })
        {
            app.Kill(entireProcessTree: true);
            app.WaitForExit(10_000);
        }
        app?.Dispose();
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
