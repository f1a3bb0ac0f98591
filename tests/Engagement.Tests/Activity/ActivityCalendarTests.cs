using Engagement.Activity;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Activity;

public class ActivityCalendarTests
{
    private static ActivityCalendar In(string zone) => new(TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Fact]
    public void DayOf_DefaultOpsZone_UsesShanghaiLocalDate()
    {
        var calendar = new ActivityCalendar(Options.Create(new ActivityOptions()));

        Assert.Equal(new DateOnly(2026, 3, 2).DayNumber, calendar.DayOf(new DateTimeOffset(2026, 3, 1, 17, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 3, 2).DayNumber, calendar.DayOf(new DateTimeOffset(2026, 3, 1, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 3, 1).DayNumber, calendar.DayOf(new DateTimeOffset(2026, 3, 1, 15, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void DayOf_InstantWithOffset_UsesTheInstantNotItsOffset()
    {
        var calendar = In("Asia/Shanghai");

        // 2026-03-01 20:00 in New York is 2026-03-02 09:00 in Shanghai
        Assert.Equal(new DateOnly(2026, 3, 2), calendar.DateOf(new DateTimeOffset(2026, 3, 1, 20, 0, 0, TimeSpan.FromHours(-5))));
    }

    [Fact]
    public void StartOf_Shanghai_IsLocalMidnight()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 16, 0, 0, TimeSpan.Zero), In("Asia/Shanghai").StartOf(new DateOnly(2026, 3, 2)));
    }

    [Fact]
    public void StartOf_NewYorkOnDstStartDay_IsMidnightBeforeTheGap()
    {
        var start = In("America/New_York").StartOf(new DateOnly(2026, 3, 8));

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5)), start);
    }

    [Theory]
    [InlineData("America/Havana", 2026, 3, 8, -4)] // 00:00 -> 01:00
    [InlineData("America/Santiago", 2026, 9, 6, -3)] // 24:00 Saturday -> 01:00 Sunday
    [InlineData("Asia/Beirut", 2026, 3, 29, 3)] // 00:00 -> 01:00
    public void StartOf_DstStartsAtMidnight_IsFirstValidLocalTime(string zone, int year, int month, int day, int offsetHours)
    {
        var start = In(zone).StartOf(new DateOnly(year, month, day));

        Assert.Equal(new DateTimeOffset(year, month, day, 1, 0, 0, TimeSpan.FromHours(offsetHours)), start);
        Assert.Equal(TimeSpan.FromHours(offsetHours), start.Offset);
    }

    public static TheoryData<string> Zones => ["Asia/Shanghai", "America/New_York", "Europe/London", "America/Santiago", "Asia/Beirut", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"];

    [Theory]
    [MemberData(nameof(Zones))]
    public void StartOf_EveryDayOf2025And2026_IsTheFirstInstantOfThatDate(string zone)
    {
        var calendar = In(zone);
        for (var date = new DateOnly(2025, 1, 1); date.Year <= 2026; date = date.AddDays(1))
        {
            var start = calendar.StartOf(date);

            Assert.True(calendar.DateOf(start) == date, $"{zone}: DateOf(StartOf({date:O})) = {calendar.DateOf(start):O}");
            Assert.True(calendar.DateOf(start.AddTicks(-1)) == date.AddDays(-1), $"{zone}: the instant before StartOf({date:O}) = {start:O} is on {calendar.DateOf(start.AddTicks(-1)):O}");
        }
    }

    [Fact]
    public void StartOf_AmbiguousMidnightAtDstEnd_IsTheFirstOccurrence()
    {
        var calendar = In("America/Havana");
        var date = new DateOnly(2026, 11, 1);

        var start = calendar.StartOf(date);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), start.ToUniversalTime());
        Assert.Equal(new DateOnly(2026, 10, 31), calendar.DateOf(start.AddTicks(-1)));
    }
}
