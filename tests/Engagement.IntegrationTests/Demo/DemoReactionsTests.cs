using Engagement.Local.Demo;

namespace Engagement.IntegrationTests.Demo;

/// <summary>The month demo's response model: its shares come out as configured, and it is repeatable.</summary>
public class DemoReactionsTests
{
    private static readonly DemoReactions Reactions = new();

    [Fact]
    public void DailyOrganicReturn_OverTheWindow_AddsUpToTheBaseline() =>
        Assert.Equal(Reactions.DormantBaseline, 1 - Math.Pow(1 - Reactions.DailyOrganicReturn, Reactions.WindowDays), 9);

    [Fact]
    public void ReachedAndHeldOutGroups_OfManyUsers_ComeBackAtTheConfiguredShares()
    {
        const int Users = 40_000;
        var reached = Enumerable.Range(0, Users).Count(i => Reactions.ReturnDay(7, $"u{i}", "winback-2026-12", reached: true) is not null);
        var heldOut = Enumerable.Range(0, Users).Count(i => Reactions.ReturnDay(7, $"u{i}", "winback-2026-12", reached: false) is not null);

        // binomial standard error at n = 40,000 is under 0.15 points: 0.6 points is four of them
        Assert.InRange((double)reached / Users, Reactions.DormantTreated - 0.006, Reactions.DormantTreated + 0.006);
        Assert.InRange((double)heldOut / Users, Reactions.DormantBaseline - 0.006, Reactions.DormantBaseline + 0.006);
    }

    [Fact]
    public void ReturnDay_IsWithinTheWindow_AndTheSameForTheSameUserAndRun()
    {
        var days = Enumerable.Range(0, 5_000).Select(i => Reactions.ReturnDay(1, $"u{i}", "r", reached: i % 2 == 0)).ToList();

        Assert.All(days.OfType<int>(), d => Assert.InRange(d, 0, Reactions.WindowDays - 1));
        Assert.Equal(days, Enumerable.Range(0, 5_000).Select(i => Reactions.ReturnDay(1, $"u{i}", "r", reached: i % 2 == 0)));
        Assert.NotEqual(days, Enumerable.Range(0, 5_000).Select(i => Reactions.ReturnDay(1, $"u{i}", "another-run", reached: i % 2 == 0)));
    }

    [Fact]
    public void ContentOpensClicksAndOrganicInteractions_OfManyUsers_ComeOutAtTheConfiguredShares()
    {
        const int Users = 40_000;
        var matching = Enumerable.Range(0, Users).Select(i => Reactions.OpensContent(7, $"u{i}", "content-2026-W50", matching: true)).OfType<(double AfterHours, bool Clicks)>().ToList();
        var other = Enumerable.Range(0, Users).Count(i => Reactions.OpensContent(7, $"u{i}", "content-2026-W50", matching: false) is not null);
        var organic = Enumerable.Range(0, Users).Select(i => Reactions.OrganicContentDay(7, $"u{i}", "content-2026-W50")).OfType<int>().ToList();

        // four binomial standard errors at n = 40,000 (or at the openers' count for the click share)
        Assert.InRange((double)matching.Count / Users, Reactions.ContentOpenMatching - 0.007, Reactions.ContentOpenMatching + 0.007);
        Assert.InRange((double)other / Users, Reactions.ContentOpenOther - 0.005, Reactions.ContentOpenOther + 0.005);
        Assert.InRange((double)matching.Count(m => m.Clicks) / matching.Count, Reactions.ContentClickShare - 0.03, Reactions.ContentClickShare + 0.03);
        Assert.All(matching, m => Assert.InRange(m.AfterHours, 1, 72));
        Assert.InRange((double)organic.Count / Users, Reactions.ContentOrganic - 0.006, Reactions.ContentOrganic + 0.006);
        Assert.All(organic, d => Assert.InRange(d, 0, 6));
    }

    [Fact]
    public void Redeems_ComesOutAtTheShareAsked()
    {
        var share = Enumerable.Range(0, 20_000).Count(i => DemoReactions.Redeems(3, $"u{i}", "r", 0.4)) / 20_000.0;

        Assert.InRange(share, 0.39, 0.41);
    }

    [Fact]
    public void DemoClock_MovesForwardOnly()
    {
        var start = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);
        var clock = new DemoClock(start);

        clock.MoveTo(start.AddDays(1));

        Assert.Equal(start.AddDays(1), clock.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.MoveTo(start));
    }
}
