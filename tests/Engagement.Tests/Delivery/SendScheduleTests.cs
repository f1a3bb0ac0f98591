using Engagement.Delivery;

namespace Engagement.Tests.Delivery;

public class SendScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TimeUntilDue_SendAtAhead_IsTheRemainingWait()
    {
        Assert.Equal(TimeSpan.FromDays(10), SendSchedule.TimeUntilDue(Now.AddDays(10), Now.AddDays(20), Now));
        Assert.Equal(TimeSpan.FromDays(3), SendSchedule.TimeUntilDue(Now.AddDays(10), null, Now.AddDays(7)));
    }

    [Fact]
    public void TimeUntilDue_NoSendAtOrDueOrPast_SendsNow()
    {
        Assert.Null(SendSchedule.TimeUntilDue(null, null, Now));
        Assert.Null(SendSchedule.TimeUntilDue(Now, null, Now));
        Assert.Null(SendSchedule.TimeUntilDue(Now.AddDays(-1), Now.AddDays(5), Now));
    }

    [Fact]
    public void TimeUntilDue_Expired_GoesThroughEvenBeforeSendAt()
    {
        // the policies then record every open row as expired
        Assert.Null(SendSchedule.TimeUntilDue(Now.AddDays(10), Now, Now));
        Assert.Null(SendSchedule.TimeUntilDue(Now.AddDays(10), Now.AddDays(-1), Now));
        Assert.Equal(TimeSpan.FromDays(10), SendSchedule.TimeUntilDue(Now.AddDays(10), Now.AddTicks(1), Now));
    }

    [Fact]
    public void Hop_LongerThanSevenDays_IsSevenDays()
    {
        Assert.Equal(TimeSpan.FromDays(7), SendSchedule.Hop(TimeSpan.FromDays(10)));
        Assert.Equal(TimeSpan.FromDays(7), SendSchedule.Hop(TimeSpan.FromDays(7)));
        Assert.Equal(TimeSpan.FromDays(3), SendSchedule.Hop(TimeSpan.FromDays(3)));
    }

    [Fact]
    public void Hop_RoundsUpToWholeSeconds_AtLeastOne()
    {
        // the queue counts whole seconds: a truncated delay would bring the chunk back just before it is due
        Assert.Equal(TimeSpan.FromSeconds(3), SendSchedule.Hop(TimeSpan.FromMilliseconds(2001)));
        Assert.Equal(TimeSpan.FromSeconds(1), SendSchedule.Hop(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(1), SendSchedule.Hop(TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public void TimeToLive_OutlivesTheWait_BySevenDays()
    {
        // a message must not expire before, or as, it becomes visible
        Assert.Equal(TimeSpan.FromDays(14), SendSchedule.TimeToLive(SendSchedule.Hop(TimeSpan.FromDays(30))));
        Assert.Equal(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(30), SendSchedule.TimeToLive(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Hops_ReachAnySendAtExactly_NeverEarly()
    {
        // a chunk that comes back after each hop is due exactly at sendAt, after ceil(wait / 7 days) hops
        foreach (var days in new[] { 0.5, 7, 10, 14, 20.25, 30 })
        {
            var sendAt = Now.AddDays(days);
            var at = Now;
            var hops = 0;
            while (SendSchedule.TimeUntilDue(sendAt, null, at) is { } wait)
            {
                at += SendSchedule.Hop(wait);
                hops++;
            }

            Assert.Equal(sendAt, at);
            Assert.Equal((int)Math.Ceiling(days / 7), hops);
        }
    }
}
