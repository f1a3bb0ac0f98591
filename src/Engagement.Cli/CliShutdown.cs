using System.Runtime.InteropServices;

namespace Engagement.Cli;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancelled token that every command passes down, so a
/// command stops where it is and its <c>await using</c> clean-up runs (the Azurite it started is
/// stopped). Work is safe to cut anywhere: queue messages come back, claims expire, a rerun finishes.
/// A second signal, or a command still running <see cref="Grace"/> after the first, ends the
/// process at once (Azurite children are killed on exit by their launcher).
/// </summary>
internal sealed class CliShutdown : IDisposable
{
    /// <summary>Exit code of a command stopped by a signal (128 + SIGINT, the shell convention).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TimeSpan _grace;
    private int _signals;

    public CliShutdown(TimeSpan grace)
    {
        _grace = grace;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>How long a command may take to stop after the first signal before the process is ended.</summary>
    public TimeSpan Grace => _grace;

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            Environment.Exit(ExitCode); // asked twice: do not wait for the clean-up
        }

        context.Cancel = true; // keep running: the token stops the command
        Console.Error.WriteLine($"{context.Signal}: stopping (again to quit at once)");
        _stop.Cancel();
        _ = Task.Delay(_grace).ContinueWith(_ => Environment.Exit(ExitCode), TaskScheduler.Default);
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _stop.Dispose();
    }
}
