using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Engagement.IntegrationTests.Infrastructure.ActivityJson;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// A handler that fails after it has written (the worker dies before the message is deleted): the
/// queue redelivers, the replay changes nothing, and after Queues:MaxDequeueCount (5) failed deliveries
/// the message is dead-lettered with the last error.
/// </summary>
public sealed class IngestRetryTests
{
    private static readonly DateOnly Mar31 = new(2026, 3, 31);

    private static Task<LocalEngine> StartAsync(FaultingLoggerProvider faults) =>
        TestEngine.StartAsync(
            new StoppedClock(IngestFixture.Now),
            s => s.AddLogging(b => b.ClearProviders().AddProvider(faults)),
            LogLevel.Debug);

    [Fact]
    public async Task FailsTwiceAfterWriting_ThirdDeliveryIsHandled_SpendCountsOnce()
    {
        var faults = new FaultingLoggerProvider("LogIngested", times: 2);
        await using var engine = await StartAsync(faults);
        await TestEngine.SendAsync(engine, QueueNames.ActivityEvents, One(Purchase("retry-1-p1", "retry-1", 15m, At(Mar31))));

        var pumped = await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(2, faults.Thrown);
        Assert.Equal(2, pumped.Failed);
        Assert.Equal(1, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        var user = await engine.Get<UserStore>().GetAsync("retry-1", TestEngine.Deadline());
        Assert.Equal(1500, user!.Activity.SpendIn(Mar31.DayNumber, 1));
        Assert.Empty(await TestEngine.ErrorRowsAsync(engine, QueueNames.ActivityEvents));
    }

    [Fact]
    public async Task FailsEveryDelivery_DeadLetteredAfterFive_SpendCountsOnce()
    {
        var faults = new FaultingLoggerProvider("LogIngested", times: int.MaxValue);
        await using var engine = await StartAsync(faults);
        var body = One(Purchase("retry-2-p1", "retry-2", 15m, At(Mar31)));
        await TestEngine.SendAsync(engine, QueueNames.ActivityEvents, body);

        var pumped = await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(5, faults.Thrown);
        Assert.Equal(4, pumped.Failed); // deliveries 1-4 are retried; the 5th is dead-lettered
        Assert.Equal(1, pumped.DeadLettered);
        await TestEngine.AssertDeadLetteredAsync(engine, QueueNames.ActivityEvents, body, "failed 5 deliveries");
        var row = Assert.Single(await TestEngine.ErrorRowsAsync(engine, QueueNames.ActivityEvents));
        Assert.Equal(5, row.GetInt64("DequeueCount"));
        Assert.Contains("injected crash at LogIngested", row.GetString("Error"), StringComparison.Ordinal);
        var user = await engine.Get<UserStore>().GetAsync("retry-2", TestEngine.Deadline());
        Assert.Equal(1500, user!.Activity.SpendIn(Mar31.DayNumber, 1));
    }
}
