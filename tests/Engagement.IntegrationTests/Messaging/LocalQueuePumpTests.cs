using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Messaging;

/// <summary>The local pump's give-up when only delayed messages are left: on its own clock, and at once when asked.</summary>
public sealed class LocalQueuePumpTests : IAsyncLifetime
{
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync();
        var queue = await _engine.Get<StorageClients>().QueueAsync(QueueNames.ActivityEvents);
        await queue.SendMessageAsync("[]", visibilityTimeout: TimeSpan.FromHours(1)); // waits on purpose, like a sendAt
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task DrainAsync_IdleZero_StopsAtTheFirstEmptyPollAndReportsTheDelayedMessage()
    {
        var result = await _engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.Zero);

        Assert.Equal(new Local.Queues.PumpProgress(0, 0, 0, 1), result);
    }

    [Fact]
    public async Task DrainAsync_OnAFakeClock_GivesUpWhenThatClockHasMovedOnNotTheWallClock()
    {
        var clock = new FakeTimeProvider();
        var drain = _engine.Pump(time: clock).DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromMinutes(10));

        // each turn lets the pump's 200 ms pause end; ten minutes on the fake clock, not the wall clock's
        while (!drain.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(drain, Task.Delay(10));
        }

        Assert.Equal(1, (await drain).Remaining);
        Assert.InRange(clock.GetUtcNow() - clock.Start, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));
    }
}
