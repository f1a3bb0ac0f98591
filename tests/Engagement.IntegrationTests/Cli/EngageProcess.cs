using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Engagement.IntegrationTests.Cli;

/// <summary>
/// The real `engage` CLI as a child process with redirected output (so not a terminal), for tests of
/// what only a process shows: its exit on a signal, its output lines, the Azurite it starts.
/// </summary>
internal sealed class EngageProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    private EngageProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_errors, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output => Read(_output);

    public string Errors => Read(_errors);

    public static EngageProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var cli = typeof(EngageProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EngageCli").Value!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new EngageProcess(Process.Start(psi)!);
    }

    /// <summary>Sends SIGTERM (what `kill` and container stops send) to the process itself, not its children.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the exit, at most <paramref name="cap"/>; false if it was still running then.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan cap)
    {
        using var cts = new CancellationTokenSource(cap);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
            Process.WaitForExit(); // and its output read to the end
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The child processes running node (an Azurite this process started), read from /proc.</summary>
    public IReadOnlyList<int> NodeChildren() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Stat(pid) is { } s && s.Name == "node" && s.ParentId == Process.Id && s.State != 'Z')
            .ToList();

    /// <summary>Running: /proc has it and it is not a zombie waiting for a parent to reap it.</summary>
    public static bool IsRunning(int pid) => Stat(pid) is { State: not 'Z' and not 'X' };

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private static (string Name, char State, int ParentId)? Stat(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
            var rest = stat[(close + 2)..].Split(' ');
            return (name, rest[0][0], int.Parse(rest[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // gone between listing and reading
        }
    }

    private static void Append(StringBuilder to, string? line)
    {
        if (line is not null)
        {
            lock (to)
            {
                to.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder from)
    {
        lock (from)
        {
            return from.ToString();
        }
    }
}
