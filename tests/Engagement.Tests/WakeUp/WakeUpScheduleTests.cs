using Engagement.Activity;
using Engagement.WakeUp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.WakeUp;

public sealed class WakeUpScheduleTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo[] Zones =
        [NewYork, Shanghai, .. new[] { "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata" }.Select(TimeZoneInfo.FindSystemTimeZoneById)];

    [Fact]
    public void Of_PlanAcrossSpringForward_KeepsNoonLocalEachDay_TheUtcHourMoves()
    {
        // New York springs forward on 2027-03-14: noon EST is 17:00Z, noon EDT 16:00Z
        var steps = WakeUpSchedule.Of(new DateOnly(2027, 3, 11), new TimeOnly(12, 0), NewYork);

        Assert.Equal(Enumerable.Range(1, 7), steps.Select(s => s.Step));
        Assert.Equal(new DateTimeOffset(2027, 3, 11, 17, 0, 0, TimeSpan.Zero), steps[0].SendAt);
        Assert.Equal(new DateTimeOffset(2027, 3, 13, 17, 0, 0, TimeSpan.Zero), steps[2].SendAt);
        Assert.Equal(new DateTimeOffset(2027, 3, 14, 16, 0, 0, TimeSpan.Zero), steps[3].SendAt);
        Assert.Equal(new DateTimeOffset(2027, 3, 17, 16, 0, 0, TimeSpan.Zero), steps[6].SendAt);
        // the 14th is a 23-hour local day: it closes at midnight EDT
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 4, 0, 0, TimeSpan.Zero), steps[3].ClosesAt);
        Assert.Equal(new DateTimeOffset(2027, 3, 14, 5, 0, 0, TimeSpan.Zero), steps[2].ClosesAt);
    }

    [Fact]
    public void Of_SendTimeInsideTheSkippedHour_GoesOutAtTheFirstMinuteAfterIt_SameDay()
    {
        var step = WakeUpSchedule.Of(new DateOnly(2027, 3, 14), new TimeOnly(2, 30), NewYork)[0];

        Assert.Equal(new DateTimeOffset(2027, 3, 14, 3, 0, 0, TimeSpan.FromHours(-4)), step.SendAt); // 07:00Z
        Assert.Equal(new DateOnly(2027, 3, 14), LocalInstant.DateOf(step.SendAt, NewYork));
    }

    [Fact]
    public void Of_SendTimeThatHappensTwice_GoesOutAtTheFirst()
    {
        // 2027-11-07 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST)
        var step = WakeUpSchedule.Of(new DateOnly(2027, 11, 7), new TimeOnly(1, 30), NewYork)[0];

        Assert.Equal(new DateTimeOffset(2027, 11, 7, 5, 30, 0, TimeSpan.Zero), step.SendAt.ToUniversalTime());
    }

    [Fact]
    public void FirstDay_BeforeTodaysSendTime_IsToday_AfterIt_Tomorrow()
    {
        var noon = new TimeOnly(12, 0);
        Assert.Equal(new DateOnly(2026, 12, 3), WakeUpSchedule.FirstDay(new DateTimeOffset(2026, 12, 3, 3, 59, 0, TimeSpan.Zero), noon, Shanghai)); // 11:59 local
        Assert.Equal(new DateOnly(2026, 12, 4), WakeUpSchedule.FirstDay(new DateTimeOffset(2026, 12, 3, 4, 0, 0, TimeSpan.Zero), noon, Shanghai)); // 12:00 local
    }

    private static readonly Gen<(TimeZoneInfo Zone, DateOnly First, TimeOnly At)> AnyPlan =
        from zone in Gen.Elements(Zones)
        from day in Gen.Choose(0, 3 * 365)
        from minutes in Gen.Choose(0, 24 * 60 - 1)
        select (zone, new DateOnly(2026, 1, 1).AddDays(day), new TimeOnly(minutes / 60, minutes % 60));

    [Property(MaxTest = 500)]
    public Property Of_EveryStep_FallsOnItsOwnLocalDay_AtTheLocalTimeUnlessSkipped_InOrder() =>
        Prop.ForAll(Arb.From(AnyPlan), plan =>
        {
            var steps = WakeUpSchedule.Of(plan.First, plan.At, plan.Zone);
            for (var k = 0; k < steps.Count; k++)
            {
                var s = steps[k];
                var local = TimeZoneInfo.ConvertTime(s.SendAt, plan.Zone);
                var wanted = plan.First.AddDays(k).ToDateTime(plan.At);
                if (s.LocalDate != plan.First.AddDays(k) || DateOnly.FromDateTime(local.DateTime) != s.LocalDate)
                {
                    return false; // another local day
                }

                // the configured time, or (it did not exist that day) a later minute of the same day
                var exact = local.DateTime == wanted;
                if (!exact && !(plan.Zone.IsInvalidTime(wanted) && local.DateTime > wanted))
                {
                    return false;
                }

                if (s.ClosesAt <= s.SendAt || LocalInstant.DateOf(s.ClosesAt, plan.Zone) != s.LocalDate.AddDays(1) || LocalInstant.DateOf(s.ClosesAt.AddTicks(-1), plan.Zone) != s.LocalDate)
                {
                    return false; // the step's day must close at the end of that local day
                }

                if (k > 0 && s.SendAt <= steps[k - 1].SendAt)
                {
                    return false;
                }
            }

            return true;
        });
}
