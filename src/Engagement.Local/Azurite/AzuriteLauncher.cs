using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Engagement.Local.Azurite;

/// <summary>
/// Starts the repo's pinned Azurite (package.json at the repo root) on free loopback ports,
/// waits until it listens, and stops it on dispose. Installs it with <c>npm ci</c> on first use,
/// so a fresh clone needs no manual step. Used by the CLI and by the test fixtures alike.
/// </summary>
public sealed partial class AzuriteLauncher : IAsyncDisposable
{
    /// <summary>Azurite's documented development account; a public, well-known key, not a secret.</summary>
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // every Azurite still running, so a process ended by Environment.Exit (a second Ctrl-C) or an
    // unhandled exception does not leave node behind
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<AzuriteLauncher, bool> Running = new();

    static AzuriteLauncher() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var azurite in Running.Keys)
        {
            azurite.StopOnExit();
        }
    };

    private readonly Process _process;
    private readonly string? _tempDir;
    private readonly bool _persistent;

    private AzuriteLauncher(Process process, int queuePort, int tablePort, string? tempDir, bool persistent)
    {
        _process = process;
        _persistent = persistent;
        QueuePort = queuePort;
        TablePort = tablePort;
        _tempDir = tempDir;
    }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>CPU time Azurite's node process has used so far: what benchmarks report beside wall time, since a loaded machine stretches the latter.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort.ToString(CultureInfo.InvariantCulture)}/{DevAccount};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort.ToString(CultureInfo.InvariantCulture)}/{DevAccount};";

    /// <summary>
    /// Starts Azurite. <paramref name="persistDirectory"/> null: in memory, gone on dispose;
    /// otherwise data is kept in that folder between runs.
    /// </summary>
    public static async Task<AzuriteLauncher> StartAsync(string? persistDirectory = null, CancellationToken cancellationToken = default)
    {
        var root = FindToolsRoot();
        var script = await EnsureInstalledAsync(root, cancellationToken);
        string? temp = null;
        var workDir = persistDirectory;
        if (workDir is null)
        {
            temp = Directory.CreateTempSubdirectory("azurite-").FullName;
            workDir = temp;
        }
        else
        {
            Directory.CreateDirectory(workDir);
        }

        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // a fix for the in-memory database's removal cost, which stalls queue-heavy runs (see the file)
        var preload = Path.Combine(root, "eng", "azurite-preload.js");
        if (File.Exists(preload))
        {
            psi.ArgumentList.Add("--require");
            psi.ArgumentList.Add(preload);
        }

        // a developer's profile of where Azurite's time goes, only when asked for (docs/benchmarks.md, "Profiling Azurite")
        var profile = Path.Combine(root, "eng", "azurite-profile.js");
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ENGAGE_AZURITE_PROFILE")) && File.Exists(profile))
        {
            psi.ArgumentList.Add("--require");
            psi.ArgumentList.Add(profile);
        }

        foreach (var arg in new[] { script, "--blobPort", "0", "--queuePort", "0", "--tablePort", "0", "--disableTelemetry", "--skipApiVersionCheck", "--loose" })
        {
            psi.ArgumentList.Add(arg);
        }

        if (persistDirectory is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(persistDirectory);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node for Azurite");
        int? queue = null, table = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("Azurite exited before it was ready:\n" + output));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
                var m = Listening().Match(e.Data);
                if (m.Success)
                {
                    var port = int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture);
                    if (m.Groups["svc"].Value == "Queue")
                    {
                        queue = port;
                    }
                    else if (m.Groups["svc"].Value == "Table")
                    {
                        table = port;
                    }

                    if (queue is not null && table is not null)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            Kill(process);
            throw;
        }

        var launcher = new AzuriteLauncher(process, queue!.Value, table!.Value, temp, persistDirectory is not null);
        Running[launcher] = true;
        return launcher;
    }

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(this, out _);
        if (!_process.HasExited && _persistent && !OperatingSystem.IsWindows())
        {
            // Azurite keeps its on-disk database in memory and saves it every few seconds or on a
            // clean shutdown: a kill would lose what the last seconds wrote (a message just sent)
            await StopGracefullyAsync(_process);
        }

        if (!_process.HasExited)
        {
            Kill(_process);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // it was sent a kill; nothing more to do
            }
        }

        _process.Dispose();
        if (_tempDir is not null)
        {
            try
            {
                Directory.Delete(_tempDir, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open; the temp folder is cleaned by the OS
            }
        }
    }

    /// <summary>On process exit: a persistent Azurite gets SIGTERM and a few seconds to save; any other is killed.</summary>
    private void StopOnExit()
    {
        try
        {
            if (!_process.HasExited && _persistent && !OperatingSystem.IsWindows())
            {
                using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                term?.WaitForExit(2000);
                _process.WaitForExit(5000);
            }

            Kill(_process);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // gone already
        }
    }

    private static async Task StopGracefullyAsync(Process p)
    {
        try
        {
            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await p.WaitForExitAsync(cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // no kill(1), or it did not stop in time: the hard kill follows
        }
    }

    private static void Kill(Process p)
    {
        try
        {
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    /// <summary>The folder with the package.json that pins Azurite: walk up from the binaries, then from the working directory.</summary>
    private static string FindToolsRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var pkg = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(pkg) && File.ReadAllText(pkg).Contains("\"azurite\"", StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("No package.json pinning azurite was found above " + AppContext.BaseDirectory + ". Run engage from the repository.");
    }

    private static async Task<string> EnsureInstalledAsync(string root, CancellationToken cancellationToken)
    {
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(script))
        {
            return script;
        }

        // several test assemblies may start at once: one installs, the others wait on the lock
        var lockPath = Path.Combine(root, ".azurite-install.lock");
        for (var waited = 0; ; waited++)
        {
            try
            {
                await using var lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                if (!File.Exists(script))
                {
                    var psi = new ProcessStartInfo("npm") { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                    foreach (var a in new[] { "ci", "--no-audit", "--no-fund" })
                    {
                        psi.ArgumentList.Add(a);
                    }

                    using var npm = Process.Start(psi) ?? throw new InvalidOperationException("could not run npm");
                    var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
                    await npm.StandardOutput.ReadToEndAsync(cancellationToken);
                    await npm.WaitForExitAsync(cancellationToken);
                    if (npm.ExitCode != 0 || !File.Exists(script))
                    {
                        throw new InvalidOperationException($"npm ci failed in {root} (exit {npm.ExitCode}): {await stderr}");
                    }
                }

                return script;
            }
            catch (IOException) when (waited < 600)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    [GeneratedRegex(@"Azurite (?<svc>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)")]
    private static partial Regex Listening();
}
