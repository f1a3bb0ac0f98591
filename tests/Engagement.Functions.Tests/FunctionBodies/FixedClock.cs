using Microsoft.Extensions.Time.Testing;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// "Now" stands still (the run's date, quiet hours and expiries are fixed) but timers run in real
/// time: the engine backs off on its own clock after a write conflict, and on a plain
/// <see cref="FakeTimeProvider"/> nobody would advance it.
/// </summary>
internal sealed class FixedClock(DateTimeOffset now) : FakeTimeProvider(now)
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
