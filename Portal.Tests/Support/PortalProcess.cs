using System.Diagnostics;

namespace Tessera.Portal.Tests.Support;

/// <summary>Runs the built app as its own process, as an operator would, with a bounded wait.</summary>
public static class PortalProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The app as built for this test run (same configuration as the tests).</summary>
    public static string BuiltAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryRoot, "Portal", "bin", configuration, "net10.0", "Tessera.Portal.dll");
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string assembly, IEnumerable<string> args, IDictionary<string, string?> environment, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(assembly)} {string.Join(' ', args)} did not exit within {timeout}.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts the app and leaves it running; dispose the result to kill it.</summary>
    public static Running Start(string assembly, IEnumerable<string> args, IDictionary<string, string?> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Whatever the test runner's own environment says about addresses must not leak into the app under test.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS" })
        {
            start.Environment.Remove(inherited);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new Running(Process.Start(start)!);
    }

    /// <summary>A started app, with what it printed so far.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process process;
        private readonly System.Text.StringBuilder output = new();

        internal Running(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        /// <summary>The body of <paramref name="path"/> at <paramref name="baseAddress"/> once the app answers there (60 s at most).</summary>
        public async Task<string> GetWhenUpAsync(Uri baseAddress, string path)
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.False(process.HasExited, $"The app exited with code {(process.HasExited ? process.ExitCode : 0)}: {Output}");
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

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            process.Dispose();
        }
    }

    /// <summary>A loopback port the OS has just handed out and freed.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above the test output folder.");
    }
}
