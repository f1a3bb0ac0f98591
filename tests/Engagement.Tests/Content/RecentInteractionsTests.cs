using Engagement.Content;

namespace Engagement.Tests.Content;

public sealed class RecentInteractionsTests
{
    private static readonly DateOnly Day = new(2026, 12, 7);

    [Fact]
    public void Add_KeepsEachDayAndCategoryOnce_DropsDaysOlderThanTheKeptSpan_AndRoundTrips()
    {
        var recent = RecentInteractions.Empty
            .Add(Day.AddDays(-40), "old")
            .Add(Day, "fit").Add(Day, "fit").Add(Day.AddDays(-3), "a:b")
            .Add(Day.AddDays(-RecentInteractions.KeepDays), "just-out")
            .Add(Day.AddDays(-RecentInteractions.KeepDays + 1), "just-in");

        Assert.Equal($"{Day.AddDays(-34).DayNumber}:just-in,{Day.AddDays(-3).DayNumber}:a:b,{Day.DayNumber}:fit", recent.Format());
        Assert.Equal(recent.Format(), RecentInteractions.Parse(recent.Format()).Format());
        Assert.True(recent.Any(["fit"], Day, Day.AddDays(1)));
        Assert.False(recent.Any(["fit"], Day.AddDays(-7), Day));
        Assert.True(recent.Any(["x", "a:b"], Day.AddDays(-3), Day));
    }

    [Fact]
    public void Add_BeyondTheLimit_KeepsTheNewest()
    {
        var recent = RecentInteractions.Empty;
        for (var i = 0; i < RecentInteractions.MaxEntries + 5; i++)
        {
            recent = recent.Add(Day, "c" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(RecentInteractions.MaxEntries, recent.Count);
        Assert.False(recent.Any(["c000"], Day, Day.AddDays(1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("x:fit")]
    [InlineData("123:")]
    public void Parse_EmptyOrUnreadable_IsEmpty(string? text) => Assert.Equal(0, RecentInteractions.Parse(text).Count);
}
