using Engagement.Playbooks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Playbooks;

/// <summary>Occurrences in UTC, periods in the ops zone (Shanghai, UTC+8), run ids from both.</summary>
public class PlaybookScheduleTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static PlaybookSchedule Monthly(string expression = PlaybookDefaults.MonthlyOnTheFirst, PlaybookPeriod period = PlaybookPeriod.Month) =>
        new("winback", expression, period, Shanghai);

    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void Latest_AtAndAfterTheOccurrence_IsThisMonthsRun()
    {
        var at = Monthly().Latest(Utc(2026, 12, 1, 2));
        Assert.Equal((Utc(2026, 12, 1, 2), "2026-12", "winback-2026-12"), (at!.At, at.Period, at.RunId));
        Assert.Equal("winback-2026-12", Monthly().Latest(Utc(2026, 12, 20, 9))!.RunId);
    }

    [Fact]
    public void Latest_BeforeTheMonthsOccurrence_IsStillLastMonthsRun_NothingNew()
    {
        // 09:59 Shanghai on the 1st: December has begun in the ops zone, but its run is not due yet
        Assert.Equal("winback-2026-11", Monthly().Latest(Utc(2026, 12, 1, 1, 59))!.RunId);
    }

    [Fact]
    public void Latest_BeforeTheFirstOccurrenceEver_IsNull()
    {
        // the 29th of February fires only in leap years: none in the look-back from 2027-02 ... 2028-02-28
        var leap = new PlaybookSchedule("leap", "0 0 2 29 2 *", PlaybookPeriod.Day, Shanghai);
        Assert.Equal("leap-2028-02-29", leap.Latest(Utc(2028, 2, 29, 3))!.RunId);
        Assert.Null(new PlaybookSchedule("never", "0 0 2 31 2 *", PlaybookPeriod.Day, Shanghai).Latest(Utc(2026, 12, 1)));
    }

    [Fact]
    public void Period_IsTheOpsZonesMonth_NotUtcs()
    {
        // 20:00 UTC on 30 Nov is 04:00 on 1 Dec in Shanghai: the December run
        var daily = new PlaybookSchedule("late", "0 0 20 * * *", PlaybookPeriod.Month, Shanghai);
        var at = daily.Latest(Utc(2026, 11, 30, 21));
        Assert.Equal((Utc(2026, 11, 30, 20), "late-2026-12"), (at!.At, at.RunId));
        Assert.Equal("late-2026-11", daily.Latest(Utc(2026, 11, 30, 19))!.RunId);
        Assert.Equal((Utc(2026, 11, 30, 16), Utc(2026, 12, 31, 16)), daily.Bounds("2026-12"));
    }

    [Fact]
    public void CatchUp_AfterMonthsOfDowntime_IsOnlyTheLatestOccurrence()
    {
        var at = Monthly().Latest(Utc(2027, 3, 15, 8));
        Assert.Equal((Utc(2027, 3, 1, 2), "winback-2027-03"), (at!.At, at.RunId));
    }

    [Fact]
    public void InPeriod_IsThePeriodsFirstOccurrence_AsTheTimerWouldStartIt()
    {
        Assert.Equal(Monthly().Latest(Utc(2026, 12, 5)), Monthly().InPeriod("2026-12"));
        var weekly = new PlaybookSchedule("weekly", "0 0 1 * * MON", PlaybookPeriod.Week, Shanghai);
        var run = weekly.InPeriod("2026-W49");
        Assert.Equal((Utc(2026, 11, 30, 1), "weekly-2026-W49"), (run!.At, run.RunId));
        Assert.Null(new PlaybookSchedule("feb", "0 0 2 30 * *", PlaybookPeriod.Month, Shanghai).InPeriod("2027-02"));
    }

    [Theory]
    [InlineData(PlaybookPeriod.Month, "2026-12-01")]
    [InlineData(PlaybookPeriod.Month, "Dec")]
    [InlineData(PlaybookPeriod.Week, "2026-W54")]
    [InlineData(PlaybookPeriod.Day, "2026-12")]
    public void Bounds_OfAMalformedPeriod_SaysTheExpectedForm(PlaybookPeriod period, string text)
    {
        var ex = Assert.Throws<FormatException>(() => Monthly(period: period).Bounds(text));
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedule_NotSixFields_DoesNotParse()
    {
        Assert.Null(PlaybookSchedule.Parse("0 2 1 * *"));
        Assert.Throws<FormatException>(() => Monthly("every month"));
    }

    [Fact]
    public void RecentPeriods_AreTheCurrentAndThePreviousOnes()
    {
        Assert.Equal(["2027-01", "2026-12", "2026-11"], Monthly().RecentPeriods(Utc(2026, 12, 31, 17), 3));
    }

    /// <summary>For any instant: the latest occurrence is not after it, none lies between, and its period is its ops-zone month.</summary>
    [Property(MaxTest = 200)]
    public Property Latest_IsTheLastOccurrenceAtOrBeforeNow(int minutes)
    {
        var now = Utc(2026, 1, 1).AddMinutes(Math.Abs(minutes % (3 * 366 * 24 * 60)));
        var hourly = new PlaybookSchedule("h", "0 30 */7 * * *", PlaybookPeriod.Month, Shanghai);
        var latest = hourly.Latest(now)!;
        var next = hourly.Next(latest.At);
        return (latest.At <= now && next > now && latest.Period == TimeZoneInfo.ConvertTime(latest.At, Shanghai).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)).ToProperty();
    }
}
