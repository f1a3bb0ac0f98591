namespace Engagement.Local.Demo;

/// <summary>
/// The month demo's clock: the engine reads "now" from it, and the demo moves it forward day by day.
/// Only the wall-clock reading is simulated; timers and elapsed-time measurements stay real, so a
/// pump's polling and the providers' timeouts behave as they do in production.
/// </summary>
public sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the clock to <paramref name="instant"/>; never backwards (the engine's records assume time only grows).</summary>
    public void MoveTo(DateTimeOffset instant)
    {
        if (instant.UtcTicks < Interlocked.Read(ref _utcTicks))
        {
            throw new ArgumentOutOfRangeException(nameof(instant), instant, "the demo clock only moves forward");
        }

        Interlocked.Exchange(ref _utcTicks, instant.UtcTicks);
    }
}
