using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> whose "now" stands still (or moves only when told) but whose
/// timers run in real time. The ingest handler backs off on the engine's clock after a 409/412
/// (<c>Task.Delay(..., time)</c>); on a plain FakeTimeProvider nobody advances, a write conflict
/// (two deliveries of one message racing to create a user) would wait forever.
/// </summary>
public sealed class StoppedClock(DateTimeOffset now) : FakeTimeProvider(now)
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
