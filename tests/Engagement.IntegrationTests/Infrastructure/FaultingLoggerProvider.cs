using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>
/// Crashes a handler at a chosen log statement: the engine's source-generated log calls sit between
/// its storage steps (e.g. NightlyJob logs "all shards reported" after advancing the run header and
/// before enqueueing the next phase), and a logger that throws there makes the handler fail at exactly
/// that point, as a worker dying there would. Lets the first <c>skip</c> matching calls through, then
/// throws on the next <c>times</c>.
/// </summary>
public sealed class FaultingLoggerProvider(string eventName, int times = 1, int skip = 0) : ILoggerProvider
{
    private int _skip = skip;
    private int _remaining = times;
    private int _thrown;
    private int _matched;

    public int Thrown => Volatile.Read(ref _thrown);

    /// <summary>Calls of the chosen log statement seen, thrown or not (<c>times: 0</c> only counts).</summary>
    public int Matched => Volatile.Read(ref _matched);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void OnLog(EventId eventId)
    {
        if (eventId.Name != eventName)
        {
            return;
        }

        Interlocked.Increment(ref _matched);
        if (Interlocked.Decrement(ref _skip) < 0 && Interlocked.Decrement(ref _remaining) >= 0)
        {
            Interlocked.Increment(ref _thrown);
            throw new IOException($"injected crash at {eventName}");
        }
    }

    private sealed class Logger(FaultingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.OnLog(eventId);
    }
}
