using Engagement.Activity;
using Engagement.Segmentation;

namespace Engagement.Tests.Segmentation;

public class RfmValuesTests
{
    private static readonly int D = new DateOnly(2026, 3, 10).DayNumber;

    private static ActivityAggregate Example()
    {
        var a = new ActivityAggregate();
        void Login(string id, int day) => a.Apply(new ActivityEvent(id, "u", ActivityType.Login, 0, null, DateTimeOffset.UnixEpoch), day);
        void Buy(string id, int day, long minor) => a.Apply(new ActivityEvent(id, "u", ActivityType.Purchase, minor, "shoes", DateTimeOffset.UnixEpoch), day);

        Login("l1", D - 95);
        Buy("p1", D - 100, 9_999);
        Login("l2", D - 10);
        Buy("p2", D - 5, 1_000);
        Login("l3", D - 5); // same day as p2: one active day
        Buy("p3", D - 3, 250);
        Buy("p3", D - 3, 250); // replay
        return a;
    }

    [Fact]
    public void From_HandComputedExample_MatchesRecencyFrequencyMonetary()
    {
        // active days: D-100, D-95, D-10, D-5, D-3; last active D-3
        var v = RfmValues.From(Example(), D, frequencyWindowDays: 90, monetaryWindowDays: 365);

        Assert.Equal(new RfmValues(true, RecencyDays: 3, Frequency: 3, MonetaryMinor: 11_249), v);
    }

    [Fact]
    public void From_ShortWindows_CountOnlyTheWindow()
    {
        var v = RfmValues.From(Example(), D, frequencyWindowDays: 96, monetaryWindowDays: 30);

        Assert.Equal(new RfmValues(true, 3, 4, 1_250), v);
    }

    [Fact]
    public void From_ActivityAfterAsOfDay_CountsAsToday()
    {
        var v = RfmValues.From(Example(), D - 4, frequencyWindowDays: 90, monetaryWindowDays: 365);

        // D-3 is after the as-of day: recency 0, and the day itself lies outside the window
        Assert.Equal(new RfmValues(true, 0, 2, 10_999), v);
    }

    [Fact]
    public void From_NoActivity_IsNoHistory()
    {
        Assert.Equal(RfmValues.NoHistory, RfmValues.From(new ActivityAggregate(), D, 90, 365));
    }
}
